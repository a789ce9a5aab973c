@graphql @token @creates-customer
Feature: revokeCustomerToken (GRAPHQL.md §5, Magento's RevokeCustomerTokenTest and AuthenticationTest)

  revokeCustomerToken answers {"result": true} and invalidates every token of the customer
  issued up to now, over both APIs (§5). On 2.4.8 the revoked token is refused before any
  operation runs, public ones included: 401 "User token has been revoked", no data (§1.3). Before
  2.4.8 it was silently a guest (§1.9).

  Background:
    Given a customer created by a guest from this request body, with a fresh email and password:
      """json
      {
        "customer": {"email": "jdoe@example.com", "firstname": "Jane", "lastname": "Doe"},
        "password": "Password1"
      }
      """

  @graphql-5 @af-testRevokeCustomerTokenValidCredentials @signs-in @smoke @guest-sign-in
  Scenario: The customer revokes their token
    Given the customer has a GraphQL access token
    And the GraphQL document:
      """graphql
      mutation {
        revokeCustomerToken {
          result
        }
      }
      """
    When the customer sends the GraphQL document
    Then the GraphQL answer has data and no errors
    And the response body is:
      """json
      {"data": {"revokeCustomerToken": {"result": true}}}
      """

  @graphql-5 @graphql-4.2 @af-testRevokedTokenProtectedQuery @signs-in @guest-sign-in
  Scenario: A revoked token no longer reads the account, over GraphQL or REST
    Given the customer has a GraphQL access token
    And the customer has revoked their token over GraphQL
    And the GraphQL document:
      """graphql
      query {
        customer {
          email
        }
      }
      """
    When the customer sends the GraphQL document
    Then the GraphQL answer is the one documented for the configured Magento version:
      | versions    | body |
      | 2.4.8-      | {"errors": [{"message": "User token has been revoked", "extensions": {"category": "graphql-authentication"}}]} |
      | 2.4.0-2.4.7 | {"errors": [{"message": "The current customer isn't authorized.", "locations": [{"line": 2, "column": 3}], "path": ["customer"], "extensions": {"category": "graphql-authorization"}}], "data": {"customer": null}} |
    When the customer sends GET /V1/customers/me
    Then the response status is 401

  @graphql-5 @graphql-1.3 @af-testRevokedTokenPublicQuery @signs-in @guest-sign-in
  Scenario: A revoked token is refused on a public query too
    Given the customer has a GraphQL access token
    And the customer has revoked their token over GraphQL
    And the GraphQL document:
      """graphql
      query {
        isEmailAvailable(email: "{{email}}") {
          is_email_available
        }
      }
      """
    When the customer sends the GraphQL document by GET
    Then the GraphQL answer is the one documented for the configured Magento version:
      | versions    | body |
      | 2.4.8-      | {"errors": [{"message": "User token has been revoked", "extensions": {"category": "graphql-authentication"}}]} |
      | 2.4.0-2.4.7 | {"data": {"isEmailAvailable": {"is_email_available": true}}} |

  @graphql-5 @af-testRevokeCustomerTokenForGuestCustomer
  Scenario: A guest has no token to revoke
    Given the GraphQL document:
      """graphql
      mutation {
        revokeCustomerToken {
          result
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "The current customer isn't authorized.", "locations": [{"line": 2, "column": 3}], "path": ["revokeCustomerToken"], "extensions": {"category": "graphql-authorization"}}], "data": {"revokeCustomerToken": null}}
      """
