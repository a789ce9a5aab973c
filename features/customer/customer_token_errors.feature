@customer @token @errors @creates-customer
Feature: Customer token rejections (CONTRACT.md §5, Magento's CustomerTokenServiceTest)

  Any authentication failure gets one generic 401 body with no parameters: unknown email,
  wrong password and lockout look the same (§5.2, §5.3).

  Background:
    Given a customer created by a guest from this request body, with a fresh email and password:
      """json
      {
        "customer": {"email": "jdoe@example.com", "firstname": "Jane", "lastname": "Doe"},
        "password": "Password1"
      }
      """

  @contract-5.2 @af-testCreateCustomerAccessTokenEmptyOrNullCredentials @guest-sign-in
  Scenario Outline: Empty or null credentials are both reported, in one aggregate
    Given the request body:
      """json
      {"username": <value>, "password": <value>}
      """
    When a guest sends POST /V1/integration/customer/token
    Then the response status is 400
    And the error body is:
      """json
      {
        "message": "One or more input exceptions have occurred.",
        "errors": [
          {"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "username"}},
          {"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "password"}}
        ]
      }
      """

    Examples:
      | value |
      | ""    |
      | null  |

  @contract-5.2 @guest-sign-in
  Scenario Outline: One missing credential gets the single-error form
    Given the request body:
      """json
      <body>
      """
    When a guest sends POST /V1/integration/customer/token
    Then the response status is 400
    And the error body is:
      """json
      {"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "<missing>"}}
      """

    Examples:
      | body                                | missing  |
      | {"username": "{{email}}"}           | password |
      | {"password": "not-a-real-password"} | username |

  @contract-1.3 @contract-2.4 @guest-sign-in
  Scenario: A JSON body that is not an object leaves every parameter missing
    When a guest sends POST /V1/integration/customer/token with Content-Type "application/json" and this body:
      """
      "just a string"
      """
    Then the response status is 400
    And the error body is:
      """json
      {
        "message": "One or more input exceptions have occurred.",
        "errors": [
          {"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "username"}},
          {"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "password"}}
        ]
      }
      """

  @contract-5.2 @af-testCreateCustomerAccessTokenInvalidCustomer @guest-sign-in
  Scenario: A wrong password gets the generic sign-in message
    Given the request body:
      """json
      {"username": "{{email}}", "password": "Wrong-{{run_id}}-1"}
      """
    When a guest sends POST /V1/integration/customer/token
    Then the response status is 401
    # The wording changed in 2.3 (ARTIFACTS.md §3): MAGENTO_VERSION picks the expected one.
    And the error body is the one documented for the configured Magento version:
      | versions | body                                                                                                              |
      | -2.2     | {"message": "You did not sign in correctly or your account is temporarily disabled."}                             |
      | 2.3-     | {"message": "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later."} |

  @contract-5.2 @af-testCreateCustomerAccessTokenInvalidCustomer @guest-sign-in
  Scenario: An unknown email gets the same generic message
    Given the request body:
      """json
      {"username": "{{email_prefix}}nobody@example.com", "password": "Wrong-{{run_id}}-1"}
      """
    When a guest sends POST /V1/integration/customer/token
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later."}
      """

  # The throttle counts failures per username; the limit is MAGENTO_LOCKOUT_FAILURES (default
  # 6, oauth/authentication_lock/max_failures_count). Each scenario locks only its own customer.
  # The wrong attempts go out together, up to MAGENTO_CONCURRENCY at once: each failure is one
  # atomic failures_count+1 (§5.3, RequestLog::incrementFailuresCount), whatever the order.
  @contract-5.3 @lockout @serial @af-testThrottlingMaxAttempts @signs-in @guest-sign-in
  Scenario: One failure short of the limit, the right password still works
    When the customer signs in with a wrong password 1 time fewer than the lockout limit
    And the customer requests an access token with their email and password
    Then the response status is 200
    And the response is a customer access token for that customer

  @contract-5.3 @lockout @serial @af-testThrottlingAccountLockout @signs-in @guest-sign-in
  Scenario: At the limit, even the right password gets the generic 401
    When the customer signs in with a wrong password 0 times fewer than the lockout limit
    And the customer requests an access token with their email and password
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later."}
      """

  # The customer is looked up in the website of the URL's store; "all" falls back to the
  # default store view's website (§5.2, CustomerTokenServiceTest::storesDataProvider). That
  # fallback is new in 2.4.1 (STORES.md U12).
  @contract-5.2 @contract-1.1 @af-testCreateCustomerAccessToken @signs-in @since-2.4.1 @guest-sign-in
  Scenario: The token route works in the all-stores scope too
    Given the request body:
      """json
      {"username": "{{email}}", "password": "{{password}}"}
      """
    When a guest sends POST to the full path /rest/all/V1/integration/customer/token
    Then the response status is 200
    And the response is a customer access token for that customer

  # Before the fallback, "all" looked the customer up in the admin website (id 0), where no
  # customer lives (real captures C07 on 2.4.0, C09 on 2.3).
  @contract-5.2 @contract-1.1 @signs-in @before-2.4.1 @guest-sign-in
  Scenario: Before 2.4.1, the all-stores scope refuses even the right password
    Given the request body:
      """json
      {"username": "{{email}}", "password": "{{password}}"}
      """
    When a guest sends POST to the full path /rest/all/V1/integration/customer/token
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later."}
      """
