"""Reading ``local-gateway.json`` and the TypeScript plugin's ``local-dev.ts``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nxaws.local_gateway import ConfigError, GatewayConfig, Target, load_config
from nxaws.local_gateway.cli import _port
from nxaws.local_gateway.config import TargetLimits

# What the TypeScript plugin's template renders to after two mcp-connection runs (entries prepended).
LOCAL_DEV_TS = """\
const PORT = parseInt(process.env.PORT || '8123');
const PREFIX_SEPARATOR = '___';

interface AttachedMcpServer {
  name: string;
  url: string;
}

const ATTACHED_MCP_SERVERS: AttachedMcpServer[] = [
  { name: 'text-mcp', url: 'http://localhost:8001/mcp' },
  {
    name: "tools",
    url: "http://localhost:8000/mcp",
  },
];

app.listen(PORT, () => {
  console.log(`my-gateway: local gateway listening on port ${PORT}`);
});
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "gateways" / "my-gateway" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_json_config_with_per_target_limits(tmp_path: Path) -> None:
    targets = [
        {
            "name": "tools",
            "url": "http://localhost:8000/mcp",
            "timeout": 2,
            "maxConcurrent": 4,
            "maxQueued": 7,
            "maxReplyBytes": 1000,
        },
        {"name": "b", "url": "http://x/mcp"},
    ]
    path = write(tmp_path, "local-gateway.json", json.dumps({"name": "gw", "port": 8100, "targets": targets}))
    config = load_config(path)
    tools = Target("tools", "http://localhost:8000/mcp", 2.0, max_concurrent=4, max_queued=7, max_reply_bytes=1000)
    assert config == GatewayConfig("gw", (tools, Target("b", "http://x/mcp")))
    assert [config.limits_for(t) for t in config.targets] == [
        TargetLimits(timeout=2.0, max_concurrent=4, max_queued=7, max_reply_bytes=1000),
        TargetLimits(timeout=10.0, max_concurrent=32, max_queued=256, max_reply_bytes=16 * 1024 * 1024),
    ]
    changed = config.with_options(timeout=3.0, max_concurrent=8, page_size=None)
    default, own = changed.limits_for(config.targets[1]), changed.limits_for(config.targets[0])
    assert (default.timeout, default.max_concurrent) == (3.0, 8)
    assert (own.timeout, own.max_concurrent) == (2.0, 4)  # the target's own settings win


def test_local_dev_ts_from_the_typescript_plugin(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "local-dev.ts", LOCAL_DEV_TS))
    assert (config.name, config.port) == ("my-gateway", 8123)
    assert config.targets == (
        Target("text-mcp", "http://localhost:8001/mcp"),
        Target("tools", "http://localhost:8000/mcp"),
    )


def test_local_dev_ts_with_no_targets_yet_takes_the_folder_name(tmp_path: Path) -> None:
    text = "const ATTACHED_MCP_SERVERS: AttachedMcpServer[] = [\n];\nconsole.log('started');\n"
    config = load_config(write(tmp_path, "local-dev.ts", text))
    assert (config.name, config.port, config.targets) == ("my-gateway", 8100, ())


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("local-gateway.json", "{nope", "is not valid JSON"),
        ("local-gateway.json", "[]", "must hold a JSON object"),
        ("local-gateway.json", '{"targets": [{"name": "a"}]}', "needs a string 'name' and 'url'"),
        ("local-gateway.json", '{"targets": [{"name": "a___b", "url": "u"}]}', "not contain '___'"),
        ("local-gateway.json", '{"targets": [{"name": "a", "url": "u", "timeout": 0}]}', "positive number"),
        ("local-gateway.json", '{"targets": [{"name": "a", "url": "u", "maxConcurrent": 1.5}]}', "maxConcurrent"),
        ("local-gateway.json", '{"targets": [{"name": "a", "url": "u", "maxReplyBytes": true}]}', "maxReplyBytes"),
        ("local-gateway.json", '{"targets": [{"name": "a", "url": "u"}, {"name": "a", "url": "v"}]}', "repeated: a"),
        ("local-gateway.json", '{"port": "80"}', "'port' must be a port number"),
        ("local-dev.ts", "console.log('hi')", "no ATTACHED_MCP_SERVERS"),
    ],
)
def test_bad_configs_name_the_file_and_the_problem(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(path)
    assert str(path) in str(caught.value)


def test_missing_config_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read gateway configuration"):
        load_config(tmp_path / "local-gateway.json")


def test_port_option_beats_env_beats_config(monkeypatch: pytest.MonkeyPatch) -> None:
    config = GatewayConfig("gw", port=8100)
    monkeypatch.delenv("PORT", raising=False)
    assert _port(None, config) == 8100
    monkeypatch.setenv("PORT", "9001")
    assert (_port(None, config), _port(9002, config)) == (9001, 9002)


def test_command_line_limits_become_the_gateway_defaults() -> None:
    from nxaws.local_gateway.cli import _LIMITS, _parser

    args = _parser().parse_args(["--max-concurrent", "4", "--max-reply-bytes", "1000", "--shutdown-grace", "0.5"])
    config = GatewayConfig("gw", (Target("t", "u"),)).with_options(**{name: getattr(args, name) for name in _LIMITS})
    limits = config.limits_for(config.targets[0])
    assert (limits.max_concurrent, limits.max_reply_bytes, limits.timeout) == (4, 1000, 10.0)
    assert (config.shutdown_grace, config.max_batch) == (0.5, 1000)


@pytest.mark.parametrize("option", ["--max-concurrent=0", "--timeout=-1", "--max-batch=many"])
def test_command_line_limits_must_be_positive(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    from nxaws.local_gateway.cli import _parser

    with pytest.raises(SystemExit):
        _parser().parse_args([option])
    assert "expected a positive" in capsys.readouterr().err
