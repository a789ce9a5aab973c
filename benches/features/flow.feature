@bench
Feature: Bench only: the tutorial's create-customer, token and /me flow, repeated

  Not part of the conformance suite: `cargo bench` (benches/harness.rs) copies this file into a
  temporary MAGENTO_FEATURES_DIR and appends Examples rows until the outline runs N times. The
  steps are the ones of features/customer/customer_token.feature ("The customer's token reads
  their own account"), so every flow sends POST /V1/customers, POST
  /V1/integration/customer/token, GET /V1/customers/me and, from the after hook, the admin's
  DELETE /V1/customers/:id.

  Scenario Outline: Flow <n>: a new customer gets a token and reads their own account
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
    And the customer has an access token
    When the customer sends GET /V1/customers/me
    Then the response status is 200
    And the response matches the "customer" schema
    And the response is the customer that was created
    And the response matches the snapshot "customer_me"

    Examples:
      | n |
      | 1 |
