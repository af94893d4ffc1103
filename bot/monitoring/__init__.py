"""The operators' monitoring: an HTTP endpoint with health, readiness and Prometheus metrics.

The modules are imported only when `[monitoring] listen` is set (aiohttp and
prometheus-client take time to load, which the other `samu` commands need not spend): this
package itself holds only its error.
"""


class MonitoringError(Exception):
    """The endpoint cannot listen where the configuration says (e.g. the port is taken)."""
