@customer @errors
Feature: Create-customer rejections (CONTRACT.md §4, Magento's AccountManagementTest and CustomerRepositoryTest)

  Every rejection keeps Magento's error envelope (§2.1): the raw message with its %placeholders,
  parameters as an object (named placeholders) or an array (positional %1), errors[] only when
  two or more errors aggregate, 400 for validation and 401 for authorization (§2.2).

  Background:
    Given the request body:
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
    And the body uses a fresh email address and a password that meets the store's policy

  @contract-4.3 @af-testCreateCustomerWithErrors @guest-create
  Scenario: An invalid email is refused with the EAV validator's message
    Given in the body, "customer.email" is set to "invalid"
    When a guest sends POST /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      {"message": "\"Email\" is not a valid email address."}
      """

  @contract-2.4 @guest-create
  Scenario: The customer object is required
    Given in the body, "customer" is removed
    When a guest sends POST /V1/customers
    Then the response status is 400
    # 2.0-2.2 said "%fieldName is a required field." (ARTIFACTS.md §3).
    And the error body is the one documented for the configured Magento version:
      | versions | body                                                                                                |
      | -2.2     | {"message": "%fieldName is a required field.", "parameters": {"fieldName": "customer"}}             |
      | 2.3-     | {"message": "\\"%fieldName\\" is required. Enter and try again.", "parameters": {"fieldName": "customer"}} |

  # New in 2.4.8. Before, the password check reads the missing email first: a masked 500 on
  # PHP 8.1 and later, "The customer email is missing…" on PHP 7 (STORES.md C3a), so older
  # releases do not run this scenario.
  @contract-4.3 @stores-C3a @since-2.4.8 @guest-create
  Scenario: A missing email is refused before anything else is validated
    Given in the body, "customer.email" is removed
    When a guest sends POST /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      {"message": "The email address is required to create a customer account."}
      """

  @contract-4.3 @guest-create
  Scenario: An empty email is refused at save time
    Given in the body, "customer.email" is set to ""
    When a guest sends POST /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      {"message": "The customer email is missing. Enter and try again."}
      """

  # Entity validation joins its messages with a newline and sends no parameters (§4.3 step 10).
  @contract-4.3 @guest-create
  Scenario Outline: Missing names are refused with the attribute labels
    Given in the body, "<removed>" are removed
    When a guest sends POST /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      {"message": <message>}
      """

    Examples:
      | removed                               | message                                                                   |
      | customer.firstname                    | "\\"First Name\\" is a required value."                                     |
      | customer.lastname                     | "\\"Last Name\\" is a required value."                                      |
      | customer.firstname, customer.lastname | "\\"First Name\\" is a required value.\\n\\"Last Name\\" is a required value." |

  # The password rules run in this order, with the configured policy (§4.3 step 3).
  @contract-4.3 @password @guest-create
  Scenario Outline: A password that breaks a rule of the store's policy is refused
    Given the body's password is <kind>
    When a guest sends POST /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      <body>
      """

    # A rule a store's policy cannot break is not run (STORES.md U1): a minimum length of 1, a
    # single character class, a minimum length above the e-mail's.
    @password-length-rule
    Examples: the minimum length
      | kind                          | body                                                                                                                                                                       |
      | too short                     | {"message": "The password needs at least %1 characters. Create a new password and try again.", "parameters": ["{{password_min_length}}"]}                                  |

    @password-classes-rule
    Examples: the character classes
      | kind                          | body                                                                                                                                                                       |
      | of too few character classes  | {"message": "Minimum of different classes of characters in password is %1. Classes of characters: Lower Case, Upper Case, Digits, Special Characters.", "parameters": ["{{password_classes}}"]} |

    Examples: spaces and the maximum length
      | kind                          | body                                                                                                                                                                       |
      | led by a space                | {"message": "The password can't begin or end with a space. Verify the password and try again."}                                                                           |
      | followed by a space           | {"message": "The password can't begin or end with a space. Verify the password and try again."}                                                                           |
      | longer than 256 characters    | {"message": "Please enter a password with at most %1 characters.", "parameters": [256]}                                                                                    |

    @password-email-rule
    Examples: the e-mail address
      | kind                          | body                                                                                                                                                                       |
      | the same as the email         | {"message": "The password can't be the same as the email address. Create a new password and try again."}                                                                   |

  @contract-4.3 @guest-create
  Scenario: A second account with the same email is refused with 400, not 409
    When a guest sends POST /V1/customers
    Then the response status is 200
    When a guest sends POST /V1/customers
    Then the response status is 400
    # 2.2 said "same email", 2.3 and later "same email address" (ARTIFACTS.md §3).
    And the error body is the one documented for the configured Magento version:
      | versions | body                                                                                      |
      | -2.2     | {"message": "A customer with the same email already exists in an associated website."}         |
      | 2.3-     | {"message": "A customer with the same email address already exists in an associated website."} |

  # Sending an id switches to "add an existing customer to this store": the body is discarded
  # and the customer is loaded by email (§4.3 step 4).
  @contract-4.3 @guest-create
  Scenario: An id with the email of an existing customer is refused
    When a guest sends POST /V1/customers
    Then the response status is 200
    Given in the body, "customer.id" is set to 123456789
    When a guest sends POST /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      {"message": "This customer already exists in this store."}
      """

  @contract-4.3 @guest-create
  Scenario: An id with an unknown email is "not found" and creates nothing
    Given in the body, "customer.id" is set to 123456789
    When a guest sends POST /V1/customers
    Then the response status is 404
    And the error body is:
      """json
      {
        "message": "No such entity with %fieldName = %fieldValue, %field2Name = %field2Value",
        "parameters": {"fieldName": "email", "fieldValue": "{{email}}", "field2Name": "websiteId", "field2Value": {{website_id}}}
      }
      """

  # Checked before any other rule (§4.1, AccountManagementApi::validateCustomerRequest). Each
  # patch line got the guard at its own patch level (STORES.md C3d); group 2 is a stock group
  # other than the default, so the three answers differ.
  @contract-4.1 @stores-C3d @since-2.4.4-p12,2.4.5-p11,2.4.6-p9,2.4.7 @guest-create
  Scenario: A guest may not choose the customer group
    Given in the body, "customer.group_id" is set to 2
    When a guest sends POST /V1/customers
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "Magento_Customer::manage"}}
      """

  @contract-4.1 @stores-C3d @since-2.3.7,2.4.2-p1 @before-2.4.4-p12,2.4.5-p11,2.4.6-p9,2.4.7 @guest-create
  Scenario: Before the guard, a guest's customer group is reset to the default group
    Given in the body, "customer.group_id" is set to 2
    When a guest sends POST /V1/customers
    Then the response status is 200
    And the response has these values:
      | path     | value |
      | group_id | 1     |

  @contract-4.1 @stores-C3d @before-2.3.7,2.4.2-p1 @guest-create
  Scenario: Before 2.3.7 and 2.4.2-p1, a guest chooses the customer group
    Given in the body, "customer.group_id" is set to 2
    When a guest sends POST /V1/customers
    Then the response status is 200
    And the response has these values:
      | path     | value |
      | group_id | 2     |

  # The message is new in 2.4.1 (STORES.md U12). The id is above every group the store lists
  # (777 when they cannot be read; STORES.md R3).
  @contract-4.3 @af-testCreateCustomerWithInvalidGroupId @stores-R3 @needs-admin @since-2.4.1 @creates-customer
  Scenario: The admin may not choose a group that does not exist
    Given in the body, "customer.group_id" is set to {{missing_group_id}}
    When the admin sends POST /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      {"message": "The specified customer group id does not exist."}
      """

  # The DOB validator is new in 2.4.8 (STORES.md C3b).
  @contract-4.3 @af-testCreateCustomerWithDateOfBirthInFuture @stores-C3b @since-2.4.8 @guest-create
  Scenario: A date of birth in the future is refused
    Given in the body, the customer's date of birth is one month from today
    When a guest sends POST /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      {"message": "The Date of Birth should not be greater than today."}
      """

  @contract-4.3 @stores-C3b @before-2.4.8 @guest-create
  Scenario: Before 2.4.8, a date of birth in the future is accepted
    Given in the body, the customer's date of birth is one month from today
    When a guest sends POST /V1/customers
    Then the response status is 200
    And the response matches the "customer" schema

  # The Name validator: letters, marks, digits, spaces and , - _ . ' ’ ` &, 1-255 characters.
  # It arrived in 2.3.7 and 2.4.2-p1 (STORES.md U12).
  @contract-4.3 @af-testCreateCustomerWithInvalidCustomerFirstName @since-2.3.7,2.4.2-p1 @guest-create
  Scenario Outline: Names with characters Magento forbids are refused
    Given in the body, "<field>" is set to <value>
    When a guest sends POST /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      {"message": "<message>"}
      """

    Examples:
      | field               | value         | message                   |
      | customer.firstname  | "Jane ☺ "     | First Name is not valid!  |
      | customer.lastname   | "☏ - Doe"     | Last Name is not valid!   |
      | customer.middlename | "⚐ $(date)"   | Middle Name is not valid! |

  @contract-4.3 @af-testCreateCustomerWithInvalidCustomerFirstName @since-2.3.7,2.4.2-p1 @guest-create
  Scenario: A first name longer than 255 characters is refused
    Given in the body, "customer.firstname" is 256 times the character "न"
    When a guest sends POST /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      {"message": "First Name is not valid!"}
      """

  @contract-4.3 @af-testCreateCustomerWithValidName @guest-create
  Scenario Outline: International names are accepted and echoed unchanged
    Given in the body, "customer.firstname" is set to <name>
    When a guest sends POST /V1/customers
    Then the response status is 200
    And the response has these values:
      | path      | value  |
      | firstname | <name> |

    Examples:
      | name                          |
      | "Anne-Marie"                  |
      | "D'Artagnan"                  |
      | "Guðmundsdóttir"              |
      | "María José Carreño Quiñones" |
      | "Q. Public"                   |
      | "Elizabeth II"                |
      | "X Æ A-12 Musk"               |

  @contract-4.3 @af-testCreateCustomerWithMultibyteCharacters @guest-create
  Scenario: A first name of 255 multibyte characters is accepted and echoed
    Given in the body, "customer.firstname" is 255 times the character "न"
    When a guest sends POST /V1/customers
    Then the response status is 200
    And the response matches the "customer" schema

  # 2.3.0 to 2.3.2 validated such an address instead (STORES.md R10).
  @contract-4.3 @stores-R10 @since-2.3.3 @guest-create
  Scenario: An address without a country is silently dropped
    Given in the body, "customer.addresses[0].countryId" is removed
    When a guest sends POST /V1/customers
    Then the response status is 200
    And the response has these values:
      | path      | value |
      | addresses | []    |

  # An address error deletes the customer just created (§4.3 step 11). 2.4.9 changes the
  # message (§9.9): the configured MAGENTO_VERSION decides which form is expected.
  @contract-4.3 @contract-9.9 @af-testCreateCustomerWithoutAddressRequiresException @needs-admin @guest-create @checks-address
  Scenario: An address without a first name is refused and the customer is rolled back
    Given in the body, "customer.addresses[0].firstname" is removed
    When a guest sends POST /V1/customers
    Then the response status is 400
    And the error body is the one documented for the configured Magento version:
      | versions    | body                                                                                               |
      | 2.3-2.4.8   | {"message": "\\"%fieldName\\" is required. Enter and try again.", "parameters": {"fieldName": "firstname"}} |
      | 2.4.9-      | {"message": "\\"%1\\" is a required value.", "parameters": ["First Name"]}                           |
    And no customer with the scenario's email exists

  # 2.4.9 renders address-required errors with labels; its aggregate is not yet confirmed
  # against a 2.4.9 store (STORES.md U13).
  @contract-4.3 @contract-2.4 @needs-admin @stores-U13 @before-2.4.9 @guest-create @checks-address
  Scenario: Several missing address fields aggregate into errors[], in Magento's order
    Given in the body, "customer.addresses[0].city, customer.addresses[0].street" are removed
    When a guest sends POST /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      {
        "message": "One or more input exceptions have occurred.",
        "errors": [
          {"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "street"}},
          {"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "city"}}
        ]
      }
      """
    And no customer with the scenario's email exists

  @contract-4.3 @guest-create @checks-address
  Scenario: An unknown region id is refused with the value and the field
    Given in the body, "customer.addresses[0].region.regionId" is set to 99999
    When a guest sends POST /V1/customers
    Then the response status is 400
    And the error body is:
      """json
      {"message": "Invalid value of \"%value\" provided for the %fieldName field.", "parameters": {"fieldName": "regionId", "value": "99999"}}
      """

  @contract-2.4 @contract-10 @guest-create
  Scenario: camelCase and snake_case request keys create the same customer
    When a guest sends POST /V1/customers
    Then the response status is 200
    And the snake_case form of the same body creates the same customer

  # Without store_id and website_id, even a request to the "all" scope creates the customer in
  # the default store view (§4.3 step 5, AccountManagementTest::testCreateCustomerWithoutOptionalFields).
  @contract-4.3 @contract-1.1 @af-testCreateCustomerWithoutOptionalFields @guest-create
  Scenario: A customer created through /rest/all/V1 lands in the default store view
    When a guest sends POST to the full path /rest/all/V1/customers
    Then the response status is 200
    And the response matches the "customer" schema
    And the response has these values:
      | path       | value            |
      | store_id   | {{store_id}}       |
      | website_id | {{website_id}}     |
      | created_in | "{{store_name}}" |

  @contract-4.4 @af-testCreateCustomerWithSubscription @needs-admin @guest-create @newsletter
  Scenario: extension_attributes.is_subscribed subscribes the new customer
    Given in the body, "customer.extension_attributes" is set to {"is_subscribed": true}
    When a guest sends POST /V1/customers
    Then the response status is 200
    When the admin sends GET /V1/customers/{{customer_id}}
    Then the response status is 200
    And the response has these values:
      | path                               | value |
      | extension_attributes.is_subscribed | true  |
