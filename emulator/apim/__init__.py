"""The emulated Microsoft.ApiManagement subset: ARM resources (resources.py), policy parsing (policy.py),
pools and circuit breakers (pool.py) and the gateway data plane that executes the policy (gateway.py)."""
