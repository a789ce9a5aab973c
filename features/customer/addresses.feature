@customer @addresses @checks-address
Feature: Default and non-default addresses (CONTRACT.md §4.3 step 11, §7.2, §7.3)

  Magento sets an address's default_billing and default_shipping only ever to true, on the
  address the customer names as its default (AbstractAddress::getDataModel); on any other
  address the flag stays null and the key is left out: never false. The customer names its
  defaults by address id, as strings (§7.2). createAccount saves the addresses one by one in the
  order they were sent, and the customer is read back with its addresses in id order (no ORDER
  BY), so they come back in that order whichever is the default: the non-default address is
  sent first here to show it. Magento's sample customer (testCreateCustomer, testGetCustomerData)
  has a default and a non-default address too.

  @contract-4.3 @contract-7.2 @contract-7.3 @af-testCreateCustomer @guest-create
  Scenario: A non-default address sent first comes back first, with no default flags
    Given the request body:
      """json
      {
        "customer": {
          "email": "jdoe@example.com",
          "firstname": "Jane",
          "lastname": "Doe",
          "addresses": [{
            "firstname": "Jane",
            "lastname": "Doe",
            "region": {"regionCode": "NY", "region": "New York", "regionId": 43},
            "postcode": "10755",
            "street": ["456 Elm St"],
            "city": "Purchase",
            "telephone": "512-555-1111",
            "countryId": "US"
          }, {
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
    And the body uses a fresh email address and a password that meets the store's policy
    When a guest sends POST /V1/customers
    Then the response status is 200
    And the response matches the "customer" schema
    And the addresses come back in this order, with these default flags:
      | street      | default_billing | default_shipping |
      | 456 Elm St  | absent          | absent           |
      | 123 Oak Ave | true            | true             |
    And the customer's default_billing is the id of the address at "123 Oak Ave", as a string
    And the customer's default_shipping is the id of the address at "123 Oak Ave", as a string

  @contract-4.3 @contract-7.2 @contract-7.3 @guest-create
  Scenario: Different default billing and shipping addresses each carry only their own flag
    Given the request body:
      """json
      {
        "customer": {
          "email": "jdoe@example.com",
          "firstname": "Jane",
          "lastname": "Doe",
          "addresses": [{
            "defaultBilling": true,
            "firstname": "Jane",
            "lastname": "Doe",
            "region": {"regionCode": "NY", "region": "New York", "regionId": 43},
            "postcode": "10755",
            "street": ["1 Billing Rd"],
            "city": "Purchase",
            "telephone": "512-555-1111",
            "countryId": "US"
          }, {
            "firstname": "Jane",
            "lastname": "Doe",
            "region": {"regionCode": "NY", "region": "New York", "regionId": 43},
            "postcode": "10755",
            "street": ["456 Elm St"],
            "city": "Purchase",
            "telephone": "512-555-1111",
            "countryId": "US"
          }, {
            "defaultShipping": true,
            "firstname": "Jane",
            "lastname": "Doe",
            "region": {"regionCode": "NY", "region": "New York", "regionId": 43},
            "postcode": "10755",
            "street": ["9 Shipping Ln"],
            "city": "Purchase",
            "telephone": "512-555-1111",
            "countryId": "US"
          }]
        },
        "password": "Password1"
      }
      """
    And the body uses a fresh email address and a password that meets the store's policy
    When a guest sends POST /V1/customers
    Then the response status is 200
    And the response matches the "customer" schema
    And the addresses come back in this order, with these default flags:
      | street        | default_billing | default_shipping |
      | 1 Billing Rd  | true            | absent           |
      | 456 Elm St    | absent          | absent           |
      | 9 Shipping Ln | absent          | true             |
    And the customer's default_billing is the id of the address at "1 Billing Rd", as a string
    And the customer's default_shipping is the id of the address at "9 Shipping Ln", as a string

  # GET /V1/customers/me and GET /V1/customers/:customerId render the same data object (§6).
  @contract-6.1 @contract-7.2 @contract-7.3 @af-testGetCustomerData @signs-in @creates-customer @guest-sign-in
  Scenario: The customer reads the same addresses, order and default flags back
    Given a customer created by a guest from this request body, with a fresh email and password:
      """json
      {
        "customer": {
          "email": "jdoe@example.com",
          "firstname": "Jane",
          "lastname": "Doe",
          "addresses": [{
            "firstname": "Jane",
            "lastname": "Doe",
            "region": {"regionCode": "NY", "region": "New York", "regionId": 43},
            "postcode": "10755",
            "street": ["456 Elm St"],
            "city": "Purchase",
            "telephone": "512-555-1111",
            "countryId": "US"
          }, {
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
    And the addresses come back in this order, with these default flags:
      | street      | default_billing | default_shipping |
      | 456 Elm St  | absent          | absent           |
      | 123 Oak Ave | true            | true             |
    And the customer's default_billing is the id of the address at "123 Oak Ave", as a string
    And the customer's default_shipping is the id of the address at "123 Oak Ave", as a string

  @contract-6.2 @contract-7.2 @contract-7.3 @needs-admin @creates-customer
  Scenario: The admin reads the same addresses, order and default flags back
    Given a customer created by a guest from this request body, with a fresh email and password:
      """json
      {
        "customer": {
          "email": "jdoe@example.com",
          "firstname": "Jane",
          "lastname": "Doe",
          "addresses": [{
            "defaultBilling": true,
            "firstname": "Jane",
            "lastname": "Doe",
            "region": {"regionCode": "NY", "region": "New York", "regionId": 43},
            "postcode": "10755",
            "street": ["1 Billing Rd"],
            "city": "Purchase",
            "telephone": "512-555-1111",
            "countryId": "US"
          }, {
            "firstname": "Jane",
            "lastname": "Doe",
            "region": {"regionCode": "NY", "region": "New York", "regionId": 43},
            "postcode": "10755",
            "street": ["456 Elm St"],
            "city": "Purchase",
            "telephone": "512-555-1111",
            "countryId": "US"
          }, {
            "defaultShipping": true,
            "firstname": "Jane",
            "lastname": "Doe",
            "region": {"regionCode": "NY", "region": "New York", "regionId": 43},
            "postcode": "10755",
            "street": ["9 Shipping Ln"],
            "city": "Purchase",
            "telephone": "512-555-1111",
            "countryId": "US"
          }]
        },
        "password": "Password1"
      }
      """
    When the admin sends GET /V1/customers/{{customer_id}}
    Then the response status is 200
    And the response matches the "customer" schema
    And the response is the customer that was created
    And the addresses come back in this order, with these default flags:
      | street        | default_billing | default_shipping |
      | 1 Billing Rd  | true            | absent           |
      | 456 Elm St    | absent          | absent           |
      | 9 Shipping Ln | absent          | true             |
    And the customer's default_billing is the id of the address at "1 Billing Rd", as a string
    And the customer's default_shipping is the id of the address at "9 Shipping Ln", as a string
