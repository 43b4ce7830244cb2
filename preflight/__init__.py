"""Checks before `pulumi up`: the model offered in the region, quota, retirement, in-place changes Azure
refuses, soft-deleted names. Pure verdicts in ``preflight.checks``; ARM reads in ``preflight.azure``."""
