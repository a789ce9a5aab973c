@customer @search @needs-admin @creates-customer
Feature: Searching customers (CONTRACT.md §4.8, Magento's CustomerRepositoryTest search tests)

  The harness's own clean-up finds what a run left through this route, with Magento's
  bracketed searchCriteria query form.

  Background:
    Given a customer created by a guest from this request body, with a fresh email and password:
      """json
      {
        "customer": {"email": "jdoe@example.com", "firstname": "Jane", "lastname": "Doe"},
        "password": "Password1"
      }
      """

  # Search items carry is_subscribed from 2.4.0 (STORES.md U12).
  @contract-4.8 @af-testSearchCustomersUsingGET @since-2.4.0 @newsletter
  Scenario: A search by email finds exactly the new customer
    When the admin sends GET /V1/customers/search?searchCriteria[filterGroups][0][filters][0][field]=email&searchCriteria[filterGroups][0][filters][0][value]={{email}}&searchCriteria[filterGroups][0][filters][0][conditionType]=eq
    Then the response status is 200
    And the response has these values:
      | path           | value           |
      | total_count    | 1               |
      | items[0].id    | {{customer_id}} |
      | items[0].email | "{{email}}"     |
    And the response has these values:
      | path                                        | value |
      | items[0].extension_attributes.is_subscribed | false |

  @contract-4.8 @af-testSearchCustomersNonExistentMultipleFiltersGET
  Scenario: A search that matches nothing answers an empty page
    When the admin sends GET /V1/customers/search?searchCriteria[filterGroups][0][filters][0][field]=lastname&searchCriteria[filterGroups][0][filters][0][value]=INVALID-{{run_id}}&searchCriteria[filterGroups][0][filters][0][conditionType]=eq
    Then the response status is 200
    And the response has these values:
      | path        | value |
      | total_count | 0     |
      | items       | []    |

  @contract-4.8 @af-testSearchCustomersUsingGETEmptyFilter
  Scenario: A search without criteria is refused
    When the admin sends GET /V1/customers/search
    Then the response status is 400
    And the error body is:
      """json
      {"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "searchCriteria"}}
      """

  @contract-2.3 @contract-4.8
  Scenario: A guest may not search customers
    When a guest sends GET /V1/customers/search?searchCriteria[pageSize]=1
    Then the response status is 401
    And the error body is:
      """json
      {"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "Magento_Customer::customer"}}
      """
