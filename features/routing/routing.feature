@routing @errors
Feature: Routing, decoding and the error envelope (CONTRACT.md §1, §2)

  Magento checks a request in a fixed order: method, processor (store code), route, ACL, and
  only then the body (§1.2). Errors raised by the web API framework itself carry rendered
  messages; JSON responses are application/json; charset=utf-8 (§1.4).

  @contract-1.1
  Scenario: An unknown route is "not found"
    When a guest sends GET /V1/no-such-route
    Then the response status is 404
    And the error body is:
      """json
      {"message": "Request does not match any route."}
      """
    And the response Content-Type is "application/json; charset=utf-8"

  @contract-1.1
  Scenario: A known path with a method it does not declare is "not found", not 405
    When a guest sends DELETE /V1/customers
    Then the response status is 404
    And the error body is:
      """json
      {"message": "Request does not match any route."}
      """

  # RequestMethodValidator is new in 2.4.5 (STORES.md C3e).
  @contract-1.1 @stores-C3e @since-2.4.5
  Scenario Outline: Methods other than GET, POST, PUT and DELETE are refused before routing
    When a guest sends <method> /V1/customers
    Then the response status is 405
    And the error body is:
      """json
      {"message": "The <method> HTTP method is not supported."}
      """

    Examples:
      | method  |
      | PATCH   |
      | OPTIONS |

  @contract-1.1 @stores-C3e @before-2.4.5
  Scenario Outline: Before 2.4.5, other methods are an invalid request method
    When a guest sends <method> /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      {"message": "Request method is invalid."}
      """

    Examples:
      | method  |
      | PATCH   |
      | OPTIONS |

  @contract-1.1 @contract-1.2
  Scenario Outline: An unknown store code or a lower-case version segment has no processor
    When a guest sends GET to the full path <path>
    Then the response status is 400
    And the error body is:
      """json
      {"message": "Specified request cannot be processed."}
      """

    Examples:
      | path                                  |
      | /rest/mc-no-such-store/V1/customers/me |
      | /rest/{{store}}/v1/customers/me       |

  @contract-1.1 @needs-admin
  Scenario Outline: The three URL forms reach the same routes
    When the admin sends GET to the full path <path>
    Then the response status is 404
    And the error body is:
      """json
      {"message": "No such entity with %fieldName = %fieldValue", "parameters": {"fieldName": "customerId", "fieldValue": -1}}
      """

    Examples:
      | path                            |
      | /rest/V1/customers/-1           |
      | /rest/{{store}}/V1/customers/-1 |
      | /rest/all/V1/customers/-1       |

  @contract-1.3 @contract-2.1 @guest-create
  Scenario: Malformed JSON is a decoding error
    When a guest sends POST /V1/customers with Content-Type "application/json" and this body:
      """
      {"customer": {"email": 
      """
    Then the response status is 400
    And the error body is:
      """json
      {"message": "Decoding error."}
      """

  # The body is read only after the ACL check (§1.2 step 8).
  @contract-1.2
  Scenario: Malformed JSON to a protected route without a token is 401, not 400
    When a guest sends PUT /V1/customers/1 with Content-Type "application/json" and this body:
      """
      {"customer": 
      """
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "Magento_Customer::manage"}}
      """

  @contract-1.3 @guest-sign-in
  Scenario Outline: Content-Type problems are refused with Magento's messages
    When a guest sends POST /V1/integration/customer/token with Content-Type "<content type>" and this body:
      """
      {"username": "someone@example.com", "password": "x"}
      """
    Then the response status is 400
    And the error body is:
      """json
      {"message": "<message>"}
      """

    Examples:
      | content type                   | message                                                         |
      |                                | Content-Type header is empty.                                   |
      | _?                             | Content-Type header is invalid.                                 |
      | application/json; charset=latin1 | UTF-8 is the only supported charset.                          |
      | text/plain                     | Server cannot understand Content-Type HTTP header media type text/plain |

  @contract-1.4 @guest-sign-in
  Scenario: The charset name is case-insensitive, and error responses are JSON in UTF-8
    When a guest sends POST /V1/integration/customer/token with Content-Type "application/json; charset=UTF-8" and this body:
      """
      {"username": "{{email_prefix}}nobody@example.com", "password": "Wrong-{{run_id}}-1"}
      """
    Then the response status is 401
    And the response Content-Type is "application/json; charset=utf-8"
