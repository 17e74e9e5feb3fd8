"""GraphQL object, input and enum types, one module per concept, built from service views."""
