"""The `clinreason` command line. Each command lives in its own module and is registered here."""

from __future__ import annotations

import logging
from typing import Any

import click

from clinreason.errors import ClinReasonError


class _Group(click.Group):
    """Turns package errors into one clear line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClinReasonError as exc:
            raise click.ClickException(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise click.Abort() from None
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise click.ClickException(
                f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)"
            ) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@click.option("--log-level", default="WARNING", show_default=True, help="Python logging level.")
@click.version_option(package_name="clinreason")
@click.pass_context
def main(ctx: click.Context, debug: bool, log_level: str) -> None:
    """Explainable, verifiable clinical reasoning with language models.

    A research and decision-support tool, not a medical device. Patient text is sent only to the
    backend you configure; nothing else leaves this machine.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")


def _register() -> None:
    # One line per command module; each module defines click commands.
    from clinreason.cli import (
        bench_cmd,
        explain_cmd,
        index_cmd,
        models_cmd,
        probe_cmd,
        serve_cmd,
        train_cmd,
        verify_cmd,
    )

    for command in (
        explain_cmd.explain,
        models_cmd.models,
        verify_cmd.verify,
        *bench_cmd.COMMANDS,
        *probe_cmd.COMMANDS,
        *serve_cmd.COMMANDS,
        *train_cmd.COMMANDS,
    ):
        main.add_command(command)
    main.add_command(index_cmd.index)


_register()
