"""`[monitoring]` and `[logging]`: off and text by default, checked, overridden from the
environment like the other settings."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, listen_address, parse_config


def test_off_and_text_by_default() -> None:
    config = parse_config({}, "t", {})
    assert config.monitoring.listen == "" and config.logging.format == "text"


def test_the_environment_overrides_the_file() -> None:
    config = parse_config(
        {"monitoring": {"listen": "127.0.0.1:9464"}, "logging": {"format": "text"}},
        "t",
        {"SAMU_MONITORING_LISTEN": "0.0.0.0:9100", "SAMU_LOG_FORMAT": "json"},
    )
    assert config.monitoring.listen == "0.0.0.0:9100" and config.logging.format == "json"


@pytest.mark.parametrize("value", ["9464", "localhost", ":9464", "127.0.0.1:99999", "h:x"])
def test_an_address_without_host_and_port_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match=r"\[monitoring\] listen: expected HOST:PORT"):
        parse_config({"monitoring": {"listen": value}}, "t", {})


def test_addresses_read() -> None:
    assert listen_address("127.0.0.1:9464") == ("127.0.0.1", 9464)
    assert listen_address("[::1]:0") == ("::1", 0)


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"\[logging\] format"):
        parse_config({"logging": {"format": "xml"}}, "t", {})


def test_secrets_are_listed_for_the_log_to_hide() -> None:
    config = parse_config(
        {
            "database": {"url": "postgresql://samu:pgpass@db/samu"},
            "telegram": {"token": "123:abc", "webhook_secret": "hook"},
            "matrix": {"password": "mpass", "access_token": "mtok"},
        },
        "t",
        {},
    )
    assert sorted(config.secrets()) == sorted(["123:abc", "hook", "mpass", "mtok", "pgpass"])
