"""``plan_app``: the plan an ``App`` starts from, which the command line reads without importing werkzeug.

A plugin may not add an attribute the core's ``App`` or ``Request`` already
has (the ``attribute-clash`` check). Those names are listed here rather than
read from the classes: reading them means importing ``corolla._app`` and
werkzeug (its ``__init__`` imports ``werkzeug.serving`` and ``werkzeug.test``),
about 100 ms that ``corolla plugins list`` and ``corolla --help`` would pay
for nothing else. tests/core/test_public_api.py checks that these lists equal
the classes' public names with the installed werkzeug, so they cannot drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ._planning import Plan, make_plan

#: The public names of ``corolla.App`` (methods and annotated attributes).
APP_NAMES: frozenset[str] = frozenset(
    (
        "after_request",
        "before_request",
        "cli",
        "close",
        "config",
        "debug",
        "instance_path",
        "pipeline",
        "plan",
        "plugin_manager",
        "plugins",
        "propagate_exceptions",
        "report_exception",
        "request_class",
        "request_hooks",
        "resolution",
        "root",
        "run",
        "secret_key",
        "secret_key_fallbacks",
        "selection",
        "teardown_request",
        "test_client",
    )
)

#: The public names of ``App.request_class`` (``corolla.Request``, a werkzeug ``Request``).
REQUEST_NAMES: frozenset[str] = frozenset(
    (
        "accept_charsets",
        "accept_encodings",
        "accept_languages",
        "accept_mimetypes",
        "access_control_request_headers",
        "access_control_request_method",
        "access_route",
        "after_response",
        "app",
        "application",
        "args",
        "authorization",
        "base_url",
        "cache_control",
        "close",
        "committed",
        "content_encoding",
        "content_length",
        "content_md5",
        "content_type",
        "cookies",
        "data",
        "date",
        "dict_storage_class",
        "environ",
        "files",
        "form",
        "form_data_parser_class",
        "from_values",
        "full_path",
        "get_data",
        "get_json",
        "headers",
        "host",
        "host_url",
        "if_match",
        "if_modified_since",
        "if_none_match",
        "if_range",
        "if_unmodified_since",
        "input_stream",
        "is_json",
        "is_multiprocess",
        "is_multithread",
        "is_run_once",
        "is_secure",
        "json",
        "json_module",
        "list_storage_class",
        "log_line",
        "make_form_data_parser",
        "mark_committed",
        "max_content_length",
        "max_form_memory_size",
        "max_form_parts",
        "max_forwards",
        "method",
        "mimetype",
        "mimetype_params",
        "on_json_loading_failed",
        "origin",
        "parameter_storage_class",
        "path",
        "pragma",
        "query_string",
        "range",
        "referrer",
        "remote_addr",
        "remote_user",
        "root_path",
        "root_url",
        "scheme",
        "script_root",
        "server",
        "shallow",
        "stream",
        "touched",
        "trusted_hosts",
        "url",
        "url_root",
        "user_agent",
        "user_agent_class",
        "values",
        "want_form_data_parsed",
    )
)


def plan_app(
    root: Path,
    config: Mapping[str, Any] | None = None,
    plugins: Iterable[str] | None = None,
    *,
    plugin_path: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    import_plugins: bool = True,
) -> Plan:
    """The plan ``App(config, plugins, root=root, ...)`` would start from, without starting anything.

    ``import_plugins=False`` reads manifests only (inspection): plugins with one are not imported.
    """
    return make_plan(
        root,
        config,
        plugins,
        plugin_path=plugin_path,
        environ=environ,
        import_plugins=import_plugins,
        reserved_app=APP_NAMES,
        reserved_request=REQUEST_NAMES,
    )
