@customer @token @smoke @signs-in @creates-customer
Feature: Get the customer's access token (Order Processing Tutorial, step "Create a customer", part 2)

  POST /V1/integration/customer/token is anonymous and answers a bare JSON string (CONTRACT.md
  §5.1, §1.4). The tutorial shows a 32-character opaque token; Magento 2.4.4 and later issue an
  HS256 JWT whose header is exactly {"kid":"1","alg":"HS256"} (a higher kid on a store whose
  encryption key was rotated before the single-key fix, STORES.md U14) and whose claims are uid,
  utypid (3 for a customer), iat and exp = iat + the configured lifetime (§5.4, §10). Either
  format passes; the run reports which one it saw, with the kid.

  Background:
    Given a customer created by a guest from this request body, with a fresh email and password:
      """json
      {
        "customer": {
          "email": "jdoe@example.com",
          "firstname": "Jane",
          "lastname": "Doe",
          "addresses": [{
            "defaultShipping": true,
            "defaultBilling": true,
            "firstname": "Jane",
            "lastname": "Doe",
            "region": {"regionCode": "NY", "region": "New York", "regionId": 43},
            "postcode": "10755",
            "street": ["123 Oak Ave"],
            "city": "Purchase",
            "telephone": "512-555-1111",
            "countryId": "US"
          }]
        },
        "password": "Password1"
      }
      """

  @guest-sign-in
  Scenario: The customer gets an access token with their email and password
    When the customer requests an access token with their email and password
    # 200, never 201 (§1.4).
    Then the response status is 200
    And the response is a customer access token for that customer

  @guest-sign-in @checks-address
  Scenario: The customer's token reads their own account
    Given the customer has an access token
    # GET /V1/customers/me takes the customer id from the token (§6.1).
    When the customer sends GET /V1/customers/me
    Then the response status is 200
    And the response matches the "customer" schema
    And the response is the customer that was created
    And the response matches the snapshot "customer_me"
