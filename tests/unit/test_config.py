"""Configuration: defaults, file, environment, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, find_config_file, load_config, parse_config


def test_embedded_defaults() -> None:
    config = parse_config({}, "embedded defaults", {})
    assert config.database.url == "sqlite:///samu.db"
    assert (config.bot.default_locale, config.bot.timezone) == ("fr", "Europe/Paris")
    assert config.console.enabled and not config.telegram.enabled and not config.matrix.enabled


def test_environment_overrides_the_file() -> None:
    config = parse_config(
        {"database": {"url": "sqlite:///a.db"}},
        "x.toml",
        {"SAMU_DATABASE_URL": "postgresql://u@h/db", "SAMU_TELEGRAM_TOKEN": "123:abc"},
    )
    assert config.database.url == "postgresql://u@h/db"
    assert config.telegram.token == "123:abc"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"bot": {"timezone": "Paris"}}, "[bot] timezone: unknown timezone 'Paris'"),
        ({"bot": {"langue": "fr"}}, "[bot] langue: unknown key"),
        ({"bot": {"default_locale": "de"}}, "[bot] default_locale"),
        ({"database": {"url": "mysql://x/y"}}, "[database] url: unsupported database 'mysql'"),
        ({"database": {"url": "samu.db"}}, "[database] url: cannot read database URL"),
        ({"database": {"url": "postgresql://u@h:port/db"}}, "cannot read database URL"),
        ({"database": {"url": "postgresql+psycopg://h/db"}}, "unsupported driver"),
        ({"invites": {"uses": 0}}, "[invites] uses"),
        ({"colour": "blue"}, "colour: unknown key"),
    ],
)
def test_errors_name_the_key_and_the_expected_form(data: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(data, "config.toml", {})
    assert expected in str(error.value)
    assert str(error.value).startswith("config.toml:")


def test_file_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config_file(None, {}) is None
    (tmp_path / "config.toml").write_text('[bot]\ndefault_locale = "en"\n')
    assert find_config_file(None, {}) == Path("config.toml")
    assert find_config_file(None, {"SAMU_CONFIG": "/etc/samu.toml"}) == Path("/etc/samu.toml")
    assert find_config_file("mine.toml", {"SAMU_CONFIG": "/etc/samu.toml"}) == Path("mine.toml")
    assert load_config(None, {}).bot.default_locale == "en"


def test_unreadable_files_say_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(str(tmp_path / "missing.toml"), {})
    broken = tmp_path / "broken.toml"
    broken.write_text("[bot\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(str(broken), {})


def test_example_config_is_valid_and_documents_every_key() -> None:
    example = Path(__file__).parents[2] / "config.example.toml"
    config = load_config(str(example), {})
    text = example.read_text()
    for section, model in config:
        if section == "source":
            continue
        if isinstance(model, str):  # a top-level key, such as env_file
            assert f"\n{section} =" in text, section
            continue
        assert f"[{section}]" in text
        for key in type(model).model_fields:
            assert f"{key} =" in text or f"# {key} =" in text, f"[{section}] {key}"
