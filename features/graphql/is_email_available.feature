@graphql
Feature: isEmailAvailable (GRAPHQL.md §6, Magento's IsEmailAvailableTest and AuthenticationTest)

  isEmailAvailable answers true for any well-formed email unless the store turned on
  checkout/options/enable_guest_checkout_login (default off, §6); the scenarios ask only about
  an address nobody registered, which is available on every store. Its own refusals are
  graphql-input, HTTP 200.

  @graphql-6 @af-testEmailAvailable @af-testNoToken
  Scenario: An email nobody registered is available
    Given the GraphQL document:
      """graphql
      query {
        isEmailAvailable(email: "{{email_prefix}}nobody@example.com") {
          is_email_available
        }
      }
      """
    When a guest sends the GraphQL document by GET
    Then the response body is:
      """json
      {"data": {"isEmailAvailable": {"is_email_available": true}}}
      """
    And the GraphQL answer has data and no errors

  @graphql-6 @af-testEmailAvailableEmptyValue
  Scenario: An empty email must be specified
    Given the GraphQL document:
      """graphql
      query {
        isEmailAvailable(email: "") {
          is_email_available
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Email must be specified", "locations": [{"line": 2, "column": 3}], "path": ["isEmailAvailable"], "extensions": {"category": "graphql-input"}}], "data": {"isEmailAvailable": null}}
      """

  @graphql-6 @af-testEmailAvailableInvalidValue
  Scenario: A malformed email is invalid
    Given the GraphQL document:
      """graphql
      query {
        isEmailAvailable(email: "invalid-email") {
          is_email_available
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Email is invalid", "locations": [{"line": 2, "column": 3}], "path": ["isEmailAvailable"], "extensions": {"category": "graphql-input"}}], "data": {"isEmailAvailable": null}}
      """

  @graphql-6 @af-testEmailAvailableMissingValue
  Scenario: The email argument is required
    Given the GraphQL document:
      """graphql
      query {
        isEmailAvailable {
          is_email_available
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Field \"isEmailAvailable\" argument \"email\" of type \"String!\" is required but not provided.", "locations": [{"line": 2, "column": 3}]}]}
      """

  @graphql-6 @graphql-1.3 @af-testInvalidToken
  Scenario: A garbage token is refused even on this public query
    Given the GraphQL document:
      """graphql
      query {
        isEmailAvailable(email: "{{email_prefix}}nobody@example.com") {
          is_email_available
        }
      }
      """
    When a client with an invalid token sends the GraphQL document by GET
    Then the GraphQL answer is the one documented for the configured Magento version:
      | versions    | body |
      | 2.4.8-      | {"errors": [{"message": "Composite reader could not read a token", "extensions": {"category": "graphql-authentication"}}]} |
      | 2.4.0-2.4.7 | {"data": {"isEmailAvailable": {"is_email_available": true}}} |
