@bench
Feature: Bench only: the same account over GraphQL, repeated

  Not part of the conformance suite: `cargo bench` (benches/harness.rs) copies this file into a
  temporary MAGENTO_FEATURES_DIR and appends Examples rows until the outline runs N times. The
  steps are those of features/graphql/, so every flow sends createCustomerV2, the admin's search
  by that email (the create answers `id: null`, so the clean-up finds the account by email),
  generateCustomerToken, the customer query and, from the after hook, the admin's
  DELETE /V1/customers/:id.

  Scenario Outline: GraphQL flow <n>: a new customer signs in and reads their account
    Given a customer created over GraphQL from this input, with a fresh email and password:
      """json
      {"firstname": "John", "lastname": "Doe", "is_subscribed": true}
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
          is_subscribed
        }
      }
      """
    When the customer sends the GraphQL document
    Then the GraphQL answer has data and no errors
    And the GraphQL "data.customer" matches the "graphql_customer" schema

    Examples:
      | n |
      | 1 |
