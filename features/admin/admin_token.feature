@admin @smoke
Feature: Admin authentication (Order Processing Tutorial, step "Get the admin token")

  The suite signs in as admin for set-up and clean-up. On a stock 2.4.x store two-factor auth
  is on, so POST /V1/integration/admin/token refuses valid credentials with 400 and the token
  comes from POST /V1/tfa/provider/google/authenticate with a Google Authenticator code
  (CONTRACT.md §3.3). The harness takes MAGENTO_ADMIN_TOKEN, or the admin's username and
  password (plus MAGENTO_ADMIN_TOTP_SECRET when two-factor auth is on).

  @needs-admin
  Scenario: The configured admin authentication yields a working admin token
    Given the admin token from the configured admin authentication
    # Passing the ACL of an admin-only route turns 401 into "not found" (§6.2, §9.2).
    When the admin sends GET /V1/customers/-1
    Then the response status is 404
    And the error body is:
      """json
      {
        "message": "No such entity with %fieldName = %fieldValue",
        "parameters": {"fieldName": "customerId", "fieldValue": -1}
      }
      """

  Scenario: The same admin-only route refuses a guest
    When a guest sends GET /V1/customers/-1
    # Authorization failures are 401, never 403, and name the ACL resource (§2.3).
    Then the response status is 401
    And the error body is:
      """json
      {
        "message": "The consumer isn't authorized to access %resources.",
        "parameters": {"resources": "Magento_Customer::customer"}
      }
      """

  Scenario: A wrong admin password is refused with the generic sign-in message
    When a client requests an admin token with a wrong password
    # The same 401 body for an unknown user, a wrong password or a locked account (§3.2, §3.3).
    Then the response status is 401
    And the error body is:
      """json
      {
        "message": "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later."
      }
      """

  # Only with two-factor auth on (MAGENTO_ADMIN_TOTP_SECRET set): the integration route checks
  # the credentials, then refuses to issue a token (§3.3, AdminIntegrationTokenTest::testUserWithConfigured2fa).
  # A store may force several providers; google must be among them (STORES.md R2).
  @contract-3.3 @stores-R2 @needs-two-factor
  Scenario: With two-factor auth on, the integration route refuses valid credentials with 400
    When a client requests an admin token from the integration route with the configured credentials
    Then the response status is 400
    And the error body is the two-factor refusal, its providers including google:
      """json
      {"message": "Please use the 2fa provider-specific endpoints to obtain a token.", "parameters": {"active_providers": ["google"]}}
      """
