@customer @access @errors @creates-customer
Feature: Using tokens: who may read and delete a customer (CONTRACT.md §1.5, §2.3, §6)

  A missing, garbage, expired or revoked token is never reported as such: the caller becomes a
  guest and the route's ACL check answers 401 naming the resource (§1.5, §2.3).

  Background:
    Given a customer created by a guest from this request body, with a fresh email and password:
      """json
      {
        "customer": {"email": "jdoe@example.com", "firstname": "Jane", "lastname": "Doe"},
        "password": "Password1"
      }
      """

  @contract-6.1 @af-testRevokeAllAccessTokensForCustomer
  Scenario Outline: /V1/customers/me refuses callers that are not a signed-in customer
    When <caller> sends GET /V1/customers/me
    Then the response status is 401
    # 2.0-2.2 said "Consumer is not authorized to access %resources" (ARTIFACTS.md §3).
    And the error body is the one documented for the configured Magento version:
      | versions | body                                                                                        |
      | -2.2     | {"message": "Consumer is not authorized to access %resources", "parameters": {"resources": "self"}} |
      | 2.3-     | {"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}} |

    Examples:
      | caller                        |
      | a guest                       |
      | a client with an invalid token |

  # `self` is no ACL resource: a role with all resources passes it and the route then has no
  # customer id; a restricted role or integration is refused (§1.5, §6.1; captures C25, C26).
  # The harness never sends the admin token to PUT /V1/customers/me: a full-rights admin would
  # create a customer there.
  @contract-1.5 @contract-6.1 @needs-admin
  Scenario Outline: A self route answers the admin token according to the admin's role
    When the admin sends <method> <path>
    Then the answer is the one Magento gives the admin's role:
      """json
      {
        "all resources": {"status": 400, "body": {"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "customerId"}}},
        "restricted": {"status": 401, "body": {"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}}}
      }
      """

    Examples:
      | method | path                                            |
      | GET    | /V1/customers/me                                |
      | GET    | /V1/customers/me?customerId=1                   |
      | POST   | /V1/integration/customer/revoke-customer-token  |

  @contract-5.1 @contract-5.4 @af-testRevokeCustomerToken @signs-in @guest-sign-in
  Scenario: A revoked token no longer reads the account
    Given the customer has an access token
    When the customer sends POST /V1/integration/customer/revoke-customer-token
    Then the response status is 200
    And the response body is:
      """json
      true
      """
    When the customer sends GET /V1/customers/me
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}}
      """

  @contract-5.1 @af-testRevokeCustomerTokenForGuestCustomer
  Scenario: A guest cannot revoke tokens
    When a guest sends POST /V1/integration/customer/revoke-customer-token
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}}
      """

  # A store-"all" request runs in the admin store (id 0), which is never the customer's (§1.1).
  # `self` checks the store from 2.4.2 (STORES.md U12).
  @contract-1.1 @contract-1.5 @signs-in @since-2.4.2 @guest-sign-in
  Scenario: A customer token is not "self" in the all-stores scope
    Given the customer has an access token
    When the customer sends GET to the full path /rest/all/V1/customers/me
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}}
      """

  @contract-2.3 @contract-6.2 @signs-in @guest-sign-in
  Scenario: A customer token cannot read a customer by id, not even its own
    Given the customer has an access token
    When the customer sends GET /V1/customers/{{customer_id}}
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "Magento_Customer::customer"}}
      """

  @contract-2.3 @contract-6.3 @af-testDeleteCustomerNonAuthorized
  Scenario: A guest cannot delete a customer
    When a guest sends DELETE /V1/customers/{{customer_id}}
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "Magento_Customer::delete"}}
      """

  @contract-6.3 @af-testDeleteCustomerInvalidCustomerId @needs-admin
  Scenario: Deleting an unknown id is "not found"
    When the admin sends DELETE /V1/customers/-1
    Then the response status is 404
    And the error body is:
      """json
      {"message": "No such entity with %fieldName = %fieldValue", "parameters": {"fieldName": "customerId", "fieldValue": -1}}
      """

  @contract-6.2 @needs-admin
  Scenario: A non-numeric id is a type error, after the ACL check
    When the admin sends GET /V1/customers/abc
    Then the response status is 400
    And the error body is:
      """json
      {"message": "The \"abc\" value's type is invalid. The \"int\" type was expected. Verify and try again."}
      """

  @contract-6.3 @af-testDeleteCustomer @needs-admin @signs-in @guest-sign-in
  Scenario: Deleting a customer answers true, revokes their tokens, and the id is gone
    Given the customer has an access token
    When the admin sends DELETE /V1/customers/{{customer_id}}
    Then the response status is 200
    And the response body is:
      """json
      true
      """
    When the customer sends GET /V1/customers/me
    Then the response status is 401
    When the admin sends GET /V1/customers/{{customer_id}}
    Then the response status is 404
    And the error body is:
      """json
      {"message": "No such entity with %fieldName = %fieldValue", "parameters": {"fieldName": "customerId", "fieldValue": {{customer_id}}}}
      """

  @contract-4.8 @af-testInvalidCustomerUpdate @signs-in @guest-sign-in
  Scenario: A customer token cannot update a customer by id
    Given the customer has an access token
    And the request body:
      """json
      {"customer": {"id": {{customer_id}}, "email": "{{email}}", "firstname": "Jane", "lastname": "Hijacked"}}
      """
    When the customer sends PUT /V1/customers/{{customer_id}}
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "Magento_Customer::manage"}}
      """
