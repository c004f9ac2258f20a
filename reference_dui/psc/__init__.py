"""Pro Santé Connect login of the reference DUI (its own OpenID Connect relying party)."""
