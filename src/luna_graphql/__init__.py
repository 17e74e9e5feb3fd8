"""Luna partner-messaging GraphQL API."""

__version__ = "0.1.0"
