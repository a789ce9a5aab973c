@graphql @customer
Feature: The customer query (GRAPHQL.md §4, Magento's GetCustomerTest and AuthenticationTest)

  { customer { … } } reads the account of the customer token in the Authorization header. A
  guest and an admin token get "The current customer isn't authorized." (graphql-authorization:
  403 on 2.4.8, 200 before, §4.2). On 2.4.8 a bad bearer token is refused before anything runs
  (401, no data, §1.3); before 2.4.8 it was silently a guest, so the same request got the guest's
  answer (§1.9).

  Background:
    Given the GraphQL document:
      """graphql
      query {
        customer {
          id
          firstname
          lastname
          email
        }
      }
      """

  @graphql-4.2 @graphql-4.3 @af-testGetCustomer @signs-in @smoke @creates-customer @guest-sign-in
  Scenario: With their token the customer reads the account, as REST reads it
    Given a customer created by a guest from this request body, with a fresh email and password:
      """json
      {
        "customer": {"email": "jdoe@example.com", "firstname": "John", "lastname": "Smith"},
        "password": "Password1"
      }
      """
    And the customer has a GraphQL access token
    When the customer sends the GraphQL document
    Then the GraphQL answer has data and no errors
    And the GraphQL "data.customer" matches the "graphql_customer" schema
    And the response has these values:
      | path               | value       |
      | data.customer.id   | null        |
      | data.customer.firstname | "John" |
      | data.customer.lastname  | "Smith" |
      | data.customer.email     | "{{email}}" |
    And the GraphQL customer is the one REST returns for the customer's token

  @graphql-4.2 @graphql-1.2 @af-testGetCustomer @signs-in @creates-customer @guest-sign-in
  Scenario: The query works by GET too, as Magento's own tests send it
    Given a customer created by a guest from this request body, with a fresh email and password:
      """json
      {
        "customer": {"email": "jdoe@example.com", "firstname": "John", "lastname": "Smith"},
        "password": "Password1"
      }
      """
    And the customer has a GraphQL access token
    When the customer sends the GraphQL document by GET
    Then the GraphQL answer has data and no errors
    And the response has these values:
      | path                 | value       |
      | data.customer.id     | null        |
      | data.customer.email  | "{{email}}" |

  @graphql-4.2 @graphql-1.7 @af-testGetCustomerIfUserIsNotAuthorized
  Scenario: Without a token the customer is not authorized
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "The current customer isn't authorized.", "locations": [{"line": 2, "column": 3}], "path": ["customer"], "extensions": {"category": "graphql-authorization"}}], "data": {"customer": null}}
      """

  @graphql-4.2 @af-testGetCustomerIfUserHasWrongType @needs-admin
  Scenario: An admin token is no customer
    When the admin sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "The current customer isn't authorized.", "locations": [{"line": 2, "column": 3}], "path": ["customer"], "extensions": {"category": "graphql-authorization"}}], "data": {"customer": null}}
      """

  @graphql-4.2 @graphql-1.3 @af-testInvalidToken
  Scenario Outline: A token no store issued is refused before the query runs: <token>
    When <client> sends the GraphQL document
    Then the GraphQL answer is the one documented for the configured Magento version:
      | versions    | body |
      | 2.4.8-      | {"errors": [{"message": "Composite reader could not read a token", "extensions": {"category": "graphql-authentication"}}]} |
      | 2.4.0-2.4.7 | {"errors": [{"message": "The current customer isn't authorized.", "locations": [{"line": 2, "column": 3}], "path": ["customer"], "extensions": {"category": "graphql-authorization"}}], "data": {"customer": null}} |

    Examples:
      | token                                   | client                                |
      | garbage                                 | a client with an invalid token        |
      | a JWT past its exp that no store signed | a client with an expired-looking token |

  @graphql-4.4 @af-testGetSubscriptionStatusTest @signs-in @creates-customer @guest-sign-in
  Scenario: A customer who never subscribed reads is_subscribed false
    Given a customer created by a guest from this request body, with a fresh email and password:
      """json
      {
        "customer": {"email": "jdoe@example.com", "firstname": "John", "lastname": "Smith"},
        "password": "Password1"
      }
      """
    And the customer has a GraphQL access token
    And the GraphQL document:
      """graphql
      query {
        customer {
          is_subscribed
        }
      }
      """
    When the customer sends the GraphQL document
    Then the GraphQL answer has data and no errors
    And the response has these values:
      | path                       | value |
      | data.customer.is_subscribed | false |

  @graphql-4.4 @af-testGetSubscriptionStatusIfUserIsNotAuthorizedTest
  Scenario: A guest asking for is_subscribed is not authorized
    Given the GraphQL document:
      """graphql
      query {
        customer {
          is_subscribed
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "The current customer isn't authorized.", "locations": [{"line": 2, "column": 3}], "path": ["customer"], "extensions": {"category": "graphql-authorization"}}], "data": {"customer": null}}
      """

  # A customer created over REST signs in over GraphQL and reads the same account, addresses
  # included: address customer_id is always null over GraphQL (§2.8), default flags are booleans
  # (§4.5). The create sends the store's address (MAGENTO_ADDRESS, STORES.md C6).
  @graphql-4.5 @graphql-2.8 @af-testGetCustomerWithAddresses @signs-in @creates-customer @guest-sign-in @checks-address
  Scenario: A customer created over REST reads the same account and address over GraphQL
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
    And the customer has a GraphQL access token
    And the GraphQL document:
      """graphql
      query {
        customer {
          id
          firstname
          lastname
          email
          created_at
          default_billing
          default_shipping
          addresses {
            firstname
            lastname
            city
            postcode
            telephone
            country_id
            region_id
            customer_id
            default_billing
            default_shipping
          }
        }
      }
      """
    When the customer sends the GraphQL document
    Then the GraphQL answer has data and no errors
    And the response has these values:
      | path                                   | value         |
      | data.customer.addresses[0].firstname   | "Jane"        |
      | data.customer.addresses[0].city        | "{{address.city}}" |
      | data.customer.addresses[0].postcode    | "{{address.postcode}}" |
      | data.customer.addresses[0].telephone   | "{{address.telephone}}" |
      | data.customer.addresses[0].country_id  | "{{address.country_id}}" |
      | data.customer.addresses[0].region_id   | {{address.region_id}} |
      | data.customer.addresses[0].customer_id | null          |
      | data.customer.addresses[0].default_billing | true      |
      | data.customer.addresses[0].default_shipping | true     |
    And the GraphQL customer is the one REST returns for the customer's token

  # The reverse: created over GraphQL, signed in over REST, read over GraphQL with the REST token.
  @graphql-3.1 @graphql-2.8 @signs-in @guest-create @guest-sign-in
  Scenario: A customer created over GraphQL signs in over REST and reads the same account
    Given a customer created over GraphQL from this input, with a fresh email and password:
      """json
      {"firstname": "Richard", "lastname": "Rowe", "is_subscribed": true}
      """
    And the customer has an access token
    And the GraphQL document:
      """graphql
      query {
        customer {
          id
          firstname
          lastname
          email
          is_subscribed
          created_at
          date_of_birth
        }
      }
      """
    When the customer sends the GraphQL document
    Then the GraphQL answer has data and no errors
    And the GraphQL customer is the one REST returns for the customer's token
