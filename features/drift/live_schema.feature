@drift @needs-admin
Feature: The store's own Swagger versus schemas/ (CONTRACT.md §8)

  Magento publishes the definitions it serves at GET /rest/<store>/schema. The schema is
  filtered by the caller's ACL, so it is read with the admin token. A module that adds a customer
  extension attribute, drops a property or changes a type shows up here before a client breaks.
  Differences are drift: reported in drift.md, and failing unless drift/accepted.toml lists them.

  Scenario: The store's definitions of the customer services match schemas/
    When the admin sends GET to the full path /rest/{{store}}/schema?services=customerAccountManagementV1,customerCustomerRepositoryV1,integrationCustomerTokenServiceV1
    Then the response status is 200
    And the store's own definitions differ from schemas/ only by accepted drift
