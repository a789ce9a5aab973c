@graphql
Feature: The GraphQL endpoint's request-level refusals (GRAPHQL.md §1.2, §1.3, §1.9)

  What fails before any resolver runs has no data. 2.4.8 answers it 400 (a syntax error, a
  request-level graphql-input error); 2.4.0 to 2.4.7 answered 500, and 2.4.6 answered an empty
  query 200 (§1.9).

  @graphql-1.2 @graphql-1.9
  Scenario: An empty query is a syntax error at its first character
    Given the raw GraphQL query text:
      """
      """
    When a guest sends the GraphQL document
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Syntax Error: Unexpected <EOF>", "locations": [{"line": 1, "column": 1}]}]}
      """

  @graphql-1.3 @graphql-1.9
  Scenario: A mutation cannot be sent by GET
    Given the GraphQL document:
      """graphql
      mutation {
        revokeCustomerToken {
          result
        }
      }
      """
    When a guest sends the GraphQL document by GET
    Then the GraphQL answer is the error:
      """json
      {"errors": [{"message": "Mutation requests allowed only for POST requests", "extensions": {"category": "graphql-input"}}]}
      """
