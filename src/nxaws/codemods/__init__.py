"""libcst edits of user files: wiring a gateway client into ``agent.py`` and re-exporting from ``__init__.py``.

Each edit touches only the spots it must, keeps comments and formatting, and returns the source unchanged
when there is nothing left to do.
"""

from .agent_py import AgentEditError, add_gateway_client, manual_steps
from .reexport import add_reexport

__all__ = ["AgentEditError", "add_gateway_client", "manual_steps", "add_reexport"]
