"""Small components the manifest plugs into the CDK where GHL needs more than configuration."""
