"""pipelint: lint cross-account, cross-region AWS CodePipeline setups."""

__version__ = "0.1.0"
