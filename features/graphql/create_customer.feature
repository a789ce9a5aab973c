@graphql @customer
Feature: createCustomerV2 (GRAPHQL.md §2, Magento's CreateCustomerV2Test)

  POST /graphql opens an account with createCustomerV2. The answer is the customer as saved,
  re-read from the database: id is null (deprecated), addresses are [], is_subscribed is what the
  newsletter made of the request, created_at is the database timestamp (§2.8). graphql-php
  refuses missing or unknown input fields before Magento runs (shape B: no data, no extensions,
  HTTP 200, §2.5, §2.6); Magento's own refusals are graphql-input with data.createCustomerV2
  null, HTTP 200 (§2.2). Every account is a fresh mc-<run id>-<n> email, found by the clean-up
  through the email it asked for, since the answer carries no id.

  # is_subscribed is Magento_Newsletter's (§2.8): a store without it does not subscribe.
  @graphql-2.2 @graphql-2.8 @smoke @signs-in @guest-create @newsletter
  Scenario: The checkout tutorial's request creates the customer it names
    # tutorials/checkout/create-customer.md ("Step 1. Create a customer"), verbatim but for the
    # email and the password, which become the run's own.
    Given the GraphQL document from the checkout tutorial (tutorials/checkout/create-customer.md):
      """graphql
      mutation {
        createCustomerV2(
          input: {
            firstname: "John"
            lastname: "Doe"
            email: "john.doe@example.com"
            password: "b1b2b3l@w+"
            is_subscribed: true
          }
        ) {
          customer {
            firstname
            lastname
            email
            is_subscribed
          }
        }
      }
      """
    And the document uses a fresh email address and a password that meets the store's policy
    When a guest sends the GraphQL document
    Then the GraphQL answer has data and no errors
    And the response has these values:
      | path                                     | value       |
      | data.createCustomerV2.customer.firstname | "John"      |
      | data.createCustomerV2.customer.lastname  | "Doe"       |
      | data.createCustomerV2.customer.email     | "{{email}}" |
      | data.createCustomerV2.customer.is_subscribed | true    |
    And the GraphQL "data.createCustomerV2.customer" matches the "graphql_customer" schema

  @graphql-2.8 @af-testCreateCustomerAccountWithPassword @signs-in @guest-create @guest-sign-in @newsletter
  Scenario: The answer is the saved customer, and REST reads the same account
    Given the scenario's customer has a fresh email address and a password that meets the store's policy
    And the GraphQL document:
      """graphql
      mutation ($input: CustomerCreateInput!) {
        createCustomerV2(input: $input) {
          customer {
            id
            firstname
            lastname
            middlename
            email
            is_subscribed
            created_at
            date_of_birth
            default_billing
            default_shipping
            addresses {
              firstname
            }
          }
        }
      }
      """
    And the GraphQL variables:
      """json
      {"input": {"firstname": "Richard", "lastname": "Rowe", "email": "{{email}}", "password": "{{password}}", "is_subscribed": true}}
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer has data and no errors
    And the GraphQL "data.createCustomerV2.customer" matches the "graphql_customer" schema
    And the response has these values:
      | path                                        | value       |
      | data.createCustomerV2.customer.id           | null        |
      | data.createCustomerV2.customer.firstname    | "Richard"   |
      | data.createCustomerV2.customer.lastname     | "Rowe"      |
      | data.createCustomerV2.customer.middlename   | null        |
      | data.createCustomerV2.customer.email        | "{{email}}" |
      | data.createCustomerV2.customer.is_subscribed | true       |
      | data.createCustomerV2.customer.date_of_birth | null       |
      | data.createCustomerV2.customer.default_billing | null     |
      | data.createCustomerV2.customer.default_shipping | null    |
      | data.createCustomerV2.customer.addresses    | []          |
    And the response matches the snapshot "graphql_create_customer"
    Given the customer has an access token
    Then the GraphQL customer is the one REST returns for the customer's token

  @graphql-2.7 @graphql-2.8 @af-testCreateCustomerAccountWithoutPassword @guest-create
  Scenario: An account without a password is created, and is not subscribed unless asked
    Given the scenario's customer has a fresh email address
    And the GraphQL document:
      """graphql
      mutation {
        createCustomerV2(input: {firstname: "Richard", lastname: "Rowe", email: "{{email}}"}) {
          customer {
            email
            is_subscribed
            allow_remote_shopping_assistance
          }
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer has data and no errors
    And the response has these values:
      | path                                                           | value       |
      | data.createCustomerV2.customer.email                           | "{{email}}" |
      | data.createCustomerV2.customer.is_subscribed                   | false       |
      | data.createCustomerV2.customer.allow_remote_shopping_assistance | false      |

  @graphql-2.1 @af-testCreateCustomerAccountWithAllowTrue @guest-create
  Scenario: allow_remote_shopping_assistance is saved and answered
    Given the scenario's customer has a fresh email address and a password that meets the store's policy
    And the GraphQL document:
      """graphql
      mutation {
        createCustomerV2(input: {firstname: "Richard", lastname: "Rowe", email: "{{email}}", password: "{{password}}", allow_remote_shopping_assistance: true}) {
          customer {
            allow_remote_shopping_assistance
          }
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer has data and no errors
    And the response has these values:
      | path                                                           | value |
      | data.createCustomerV2.customer.allow_remote_shopping_assistance | true |

  @graphql-2.5 @graphql-1.6 @af-testCreateCustomerIfInputDataIsEmpty
  Scenario: An empty input is refused for its first missing field, email, before Magento runs
    Given the GraphQL document:
      """graphql
      mutation {
        createCustomerV2(input: {}) {
          customer {
            email
          }
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Field CustomerCreateInput.email of required type String! was not provided.", "locations": [{"line": 2, "column": 27}]}]}
      """

  @graphql-2.5 @af-testCreateCustomerIfEmailMissed
  Scenario: A create without an email is refused before Magento runs
    Given the GraphQL document:
      """graphql
      mutation {
        createCustomerV2(input: {firstname: "Richard", lastname: "Rowe", password: "test123#"}) {
          customer {
            email
          }
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Field CustomerCreateInput.email of required type String! was not provided.", "locations": [{"line": 2, "column": 27}]}]}
      """

  @graphql-2.5
  Scenario: Through variables, a missing email is a coercion error at the variable definition
    Given the GraphQL document:
      """graphql
      mutation createAcct($input: CustomerCreateInput!) {
        createCustomerV2(input: $input) {
          customer {
            email
          }
        }
      }
      """
    And the GraphQL variables:
      """json
      {"input": {"firstname": "a", "lastname": "b"}}
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Variable \"$input\" got invalid value {\"firstname\":\"a\",\"lastname\":\"b\"}; Field \"email\" of required type \"String!\" was not provided.", "locations": [{"line": 1, "column": 21}]}]}
      """

  @graphql-2.3 @af-testCreateCustomerIfEmailIsNotValid @guest-create
  Scenario Outline: An email Laminas rejects is refused with the value as sent: <email>
    Given the GraphQL document:
      """graphql
      mutation ($input: CustomerCreateInput!) {
        createCustomerV2(input: $input) {
          customer {
            email
          }
        }
      }
      """
    And the GraphQL variables:
      """json
      {"input": {"firstname": "Richard", "lastname": "Rowe", "email": "<email>", "password": "test123#"}}
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "\"<email>\" is not a valid email address.", "locations": [{"line": 2, "column": 3}], "path": ["createCustomerV2"], "extensions": {"category": "graphql-input"}}], "data": {"createCustomerV2": null}}
      """

    Examples:
      | email                         |
      | plainaddress                  |
      | #@%^%#$@#$@#.com              |
      | @example.com                  |
      | Joe Smith <email@example.com> |
      | email.example.com             |
      | email@example@example.com     |
      | email@example.com (Joe Smith) |
      | email@example                 |

  @graphql-2.6 @af-testCreateCustomerIfPassedAttributeDosNotExistsInCustomerInput
  Scenario: An input field CustomerCreateInput does not define is refused
    Given the GraphQL document:
      """graphql
      mutation {
        createCustomerV2(
          input: {
            firstname: "Richard"
            lastname: "Rowe"
            test123: "123test123"
            email: "mc-unused@example.com"
            password: "test123#"
          }
        ) {
          customer {
            email
          }
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Field \"test123\" is not defined by type \"CustomerCreateInput\".", "locations": [{"line": 6, "column": 7}]}]}
      """

  # 2.4.8 removed ValidateRequiredArguments, so the EAV rule answers; before, that validator
  # refused the empty field first (§2.2 step 5).
  @graphql-2.2 @af-testCreateCustomerIfNameEmpty @guest-create
  Scenario: An empty first name is refused by the EAV rule
    Given the scenario's customer has a fresh email address and a password that meets the store's policy
    And the GraphQL document:
      """graphql
      mutation {
        createCustomerV2(input: {firstname: "", lastname: "Rowe", email: "{{email}}", password: "{{password}}"}) {
          customer {
            email
          }
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the one documented for the configured Magento version:
      | versions    | body |
      | 2.4.8-      | {"errors": [{"message": "\\"First Name\\" is a required value.", "locations": [{"line": 2, "column": 3}], "path": ["createCustomerV2"], "extensions": {"category": "graphql-input"}}], "data": {"createCustomerV2": null}} |
      | 2.4.0-2.4.7 | {"errors": [{"message": "Required parameters are missing: First Name", "locations": [{"line": 2, "column": 3}], "path": ["createCustomerV2"], "extensions": {"category": "graphql-input"}}], "data": {"createCustomerV2": null}} |

  @graphql-2.4 @af-testCreateCustomerIfCustomerWithProvidedEmailAlreadyExists @guest-create
  Scenario: A second account with the same email is refused as graphql-input, not already-exists
    Given a customer created over GraphQL from this input, with a fresh email and password:
      """json
      {"firstname": "Richard", "lastname": "Rowe"}
      """
    And the GraphQL document:
      """graphql
      mutation {
        createCustomerV2(input: {firstname: "Richard", lastname: "Rowe", email: "{{email}}", password: "{{password}}"}) {
          customer {
            email
          }
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "A customer with the same email address already exists in an associated website.", "locations": [{"line": 2, "column": 3}], "path": ["createCustomerV2"], "extensions": {"category": "graphql-input"}}], "data": {"createCustomerV2": null}}
      """

  # The rules are REST's, with the store's policy (§2.2 step 7); a rule the policy cannot break
  # is not run, as for REST (STORES.md U1).
  @graphql-2.2 @guest-create @password
  Scenario Outline: A password against the store's policy is refused: <rule>
    Given the scenario's customer has a fresh email address
    And the GraphQL document:
      """graphql
      mutation ($input: CustomerCreateInput!) {
        createCustomerV2(input: $input) {
          customer {
            email
          }
        }
      }
      """
    And the GraphQL variables:
      """json
      {"input": {"firstname": "Richard", "lastname": "Rowe", "email": "{{email}}"}}
      """
    And the GraphQL input's password is <rule>
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "<message>", "locations": [{"line": 2, "column": 3}], "path": ["createCustomerV2"], "extensions": {"category": "graphql-input"}}], "data": {"createCustomerV2": null}}
      """

    @password-length-rule
    Examples: the minimum length
      | rule                          | message                                                                                                                                               |
      | too short                     | The password needs at least {{password_min_length}} characters. Create a new password and try again.                                                  |

    @password-classes-rule
    Examples: the character classes
      | rule                          | message                                                                                                                                               |
      | of too few character classes  | Minimum of different classes of characters in password is {{password_classes}}. Classes of characters: Lower Case, Upper Case, Digits, Special Characters. |

    @password-email-rule
    Examples: the e-mail address
      | rule                          | message                                                                                                                                               |
      | the same as the email         | The password can't be the same as the email address. Create a new password and try again.                                                             |

  @graphql-2.5
  Scenario: createCustomerV2 without its input argument is refused before Magento runs
    Given the GraphQL document:
      """graphql
      mutation {
        createCustomerV2 {
          customer {
            email
          }
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Field \"createCustomerV2\" argument \"input\" of type \"CustomerCreateInput!\" is required but not provided.", "locations": [{"line": 2, "column": 3}]}]}
      """

  @graphql-2.10 @af-testCreateCustomerIfInputDataIsEmpty @guest-create
  Scenario: The deprecated createCustomer refuses an empty input in its own resolver
    # CustomerInput has no required field, so graphql-php lets {} through (§2.10).
    Given the GraphQL document:
      """graphql
      mutation {
        createCustomer(input: {}) {
          customer {
            email
          }
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "\"input\" value should be specified", "locations": [{"line": 2, "column": 3}], "path": ["createCustomer"], "extensions": {"category": "graphql-input"}}], "data": {"createCustomer": null}}
      """

  # 2.4.8's account service asks for the email first; 2.4.7's ValidateRequiredArguments named
  # the missing attribute (§2.10, CreateCustomerTest::testCreateCustomerIfEmailMissed).
  @graphql-2.10 @af-testCreateCustomerIfEmailMissed @guest-create
  Scenario: The deprecated createCustomer without an email is refused by Magento, not graphql-php
    Given the GraphQL document:
      """graphql
      mutation {
        createCustomer(input: {firstname: "Richard", lastname: "Rowe", password: "test123#"}) {
          customer {
            email
          }
        }
      }
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the one documented for the configured Magento version:
      | versions    | body |
      | 2.4.8-      | {"errors": [{"message": "The email address is required to create a customer account.", "locations": [{"line": 2, "column": 3}], "path": ["createCustomer"], "extensions": {"category": "graphql-input"}}], "data": {"createCustomer": null}} |
      | 2.4.0-2.4.7 | {"errors": [{"message": "Required parameters are missing: Email", "locations": [{"line": 2, "column": 3}], "path": ["createCustomer"], "extensions": {"category": "graphql-input"}}], "data": {"createCustomer": null}} |
