@graphql @token @creates-customer
Feature: generateCustomerToken (GRAPHQL.md §3, Magento's GenerateCustomerTokenTest)

  generateCustomerToken calls the same service as POST /V1/integration/customer/token, so the
  token is the same JWT (header {"kid":"1","alg":"HS256"}, uid, utypid 3, exp - iat = the
  configured lifetime; §3.2), the two are interchangeable, and the sign-in throttle is one
  counter for both APIs (§3.3). Empty arguments are graphql-input (200); every credential failure
  is the one generic message, graphql-authentication: 401 on 2.4.8, 200 on 2.4.0 to 2.4.7 (§1.9).

  Background:
    Given a customer created by a guest from this request body, with a fresh email and password:
      """json
      {
        "customer": {"email": "jdoe@example.com", "firstname": "Jane", "lastname": "Doe"},
        "password": "Password1"
      }
      """

  @graphql-3.1 @graphql-3.2 @af-testGenerateCustomerValidToken @signs-in @smoke @guest-sign-in
  Scenario: The customer gets the same kind of token over GraphQL as over REST
    When the customer signs in over GraphQL with their email and password
    Then the GraphQL answer carries a customer access token for that customer

  @graphql-3.1 @signs-in @guest-sign-in
  Scenario: A token from GraphQL reads the account over REST
    Given the customer has a GraphQL access token
    When the customer sends GET /V1/customers/me
    Then the response status is 200
    And the response is the customer that was created

  # A store that requires confirmation checks it before the password (§3.3 row 6), so these
  # rows need a customer who may sign in.
  @graphql-3.3 @af-testGenerateCustomerTokenInvalidData @signs-in @guest-sign-in
  Scenario Outline: A sign-in that Magento cannot accept: <case>
    Given the GraphQL document:
      """graphql
      mutation ($email: String!, $password: String!) {
        generateCustomerToken(email: $email, password: $password) {
          token
        }
      }
      """
    And the GraphQL variables:
      """json
      {"email": "<email>", "password": "<password>"}
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "<message>", "locations": [{"line": 2, "column": 3}], "path": ["generateCustomerToken"], "extensions": {"category": "<category>"}}], "data": {"generateCustomerToken": null}}
      """

    Examples:
      | case             | email                           | password      | category               | message                                                                                                     |
      | unknown email    | {{email_prefix}}none@example.com | Password1!x  | graphql-authentication | The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later. |
      | wrong password   | {{email}}                       | Wrong-pass-1  | graphql-authentication | The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later. |
      | empty email      |                                 | password      | graphql-input          | Specify the \\"email\\" value.                                                                              |
      | empty password   | {{email}}                       |               | graphql-input          | Specify the \\"password\\" value.                                                                           |

  @graphql-3.3 @af-testGenerateCustomerTokenWithEmptyEmail @guest-sign-in
  Scenario: An empty email is reported before the password is looked at
    Given the GraphQL document:
      """graphql
      mutation {
        generateCustomerToken(email: "", password: "bad-password") {
          token
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Specify the \"email\" value.", "locations": [{"line": 2, "column": 3}], "path": ["generateCustomerToken"], "extensions": {"category": "graphql-input"}}], "data": {"generateCustomerToken": null}}
      """

  @graphql-3.3
  Scenario: A missing argument is refused before Magento runs
    Given the GraphQL document:
      """graphql
      mutation {
        generateCustomerToken(password: "bad-password") {
          token
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Field \"generateCustomerToken\" argument \"email\" of type \"String!\" is required but not provided.", "locations": [{"line": 2, "column": 3}]}]}
      """

  @graphql-3.1
  Scenario: CustomerToken has no expiry field
    Given the GraphQL document:
      """graphql
      mutation {
        generateCustomerToken(email: "{{email}}", password: "bad-password") {
          token
          expires
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Cannot query field \"expires\" on type \"CustomerToken\".", "locations": [{"line": 4, "column": 5}]}]}
      """

  # The throttle counts failures per email and user type in one table for both APIs
  # (oauth/authentication_lock/max_failures_count, default 6; GRAPHQL.md §3.3). Each scenario
  # locks only its own customer.
  @graphql-3.3 @lockout @serial @signs-in @af-testThrottlingAccountLockout @guest-sign-in
  Scenario: Failures over GraphQL lock the REST sign-in
    When the customer signs in over GraphQL with a wrong password 0 times fewer than the lockout limit
    And the customer requests an access token with their email and password
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later."}
      """

  @graphql-3.3 @lockout @serial @signs-in @guest-sign-in
  Scenario: Failures over REST lock the GraphQL sign-in, even with the right password
    When the customer signs in with a wrong password 0 times fewer than the lockout limit
    And the customer signs in over GraphQL with their email and password
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.", "locations": [{"line": 2, "column": 3}], "path": ["generateCustomerToken"], "extensions": {"category": "graphql-authentication"}}], "data": {"generateCustomerToken": null}}
      """

  @graphql-3.3 @lockout @serial @signs-in @af-testThrottlingMaxAttempts @guest-sign-in
  Scenario: One failure short of the limit over GraphQL, the right password still works over REST
    When the customer signs in over GraphQL with a wrong password 1 time fewer than the lockout limit
    And the customer requests an access token with their email and password
    Then the response status is 200
    And the response is a customer access token for that customer

  # Magento checks confirmation before the password; 2.4.8 answers with its own message, 2.4.7
  # and earlier with the generic one (§3.3 row 6).
  @graphql-3.3 @needs-confirmation @af-testGenerateCustomerEmailNotConfirmed @guest-sign-in
  Scenario: An unconfirmed account gets no token over GraphQL
    When the customer signs in over GraphQL with their email and password
    Then the GraphQL answer is the one documented for the configured Magento version:
      | versions    | body |
      | 2.4.8-      | {"errors": [{"message": "This account isn't confirmed. Verify and try again.", "locations": [{"line": 2, "column": 3}], "path": ["generateCustomerToken"], "extensions": {"category": "graphql-authentication"}}], "data": {"generateCustomerToken": null}} |
      | 2.4.0-2.4.7 | {"errors": [{"message": "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.", "locations": [{"line": 2, "column": 3}], "path": ["generateCustomerToken"], "extensions": {"category": "graphql-authentication"}}], "data": {"generateCustomerToken": null}} |
