"""Model-version upgrade rollouts: plan, canary, smoke, promote, verify, roll back."""
