"""Business operations called by routes, CLI commands and jobs. Services use models and platforms;
they never read the request."""
