"""The notebook kernel, started from memory: no kernelspec file is written or read.

papermill normally finds a kernel by name through ``kernel.json`` files on
``JUPYTER_PATH``; a file in a shared or predictable folder would let another
local user choose the command the analyst runs. Here the kernel named
:data:`KERNEL_NAME` is described in this module (``sys.executable -m
ipykernel_launcher``, the interpreter running pyhotline) and started by a kernel
manager that never asks the kernelspec manager; a ``kernel.json`` with that name
anywhere on disk is ignored.

The kernel talks to papermill over local (IPC) sockets next to its connection
file in the user's private Jupyter runtime folder, not over TCP ports: nothing
another local user could reach, and no "Kernel is running over TCP without
encryption" warning. The kernel's own log (stderr, warnings and errors) goes to
an anonymous temporary file: a successful run shows nothing (not the
"KeyboardInterrupt caught in kernel" that every shutdown prints), a failed one
shows the log's last lines. Parameters are
injected as literals that keep Chinese readable (``"某县"``, not
``"\\u5e73…"``).
"""

from __future__ import annotations

import json
import sys
import tempfile

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import default
from papermill.engines import NBClientEngine, papermill_engines
from papermill.translators import PythonTranslator, papermill_translators

KERNEL_NAME = "pyhotline"
_QUIET = ("KeyboardInterrupt caught in kernel",)


def kernel_spec() -> KernelSpec:
    """This very interpreter as a notebook kernel, built in memory."""
    return KernelSpec(
        argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--log-level=WARN"],
        display_name="pyhotline (this environment)",
        language="python",
        env={"MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
        resource_dir="",
    )


class OwnKernelManager(AsyncKernelManager):
    """Starts :func:`kernel_spec` whatever kernelspec files exist; the kernel's stderr goes to ``log``."""

    log_file = None  # set per run by OwnEngine

    @default("transport")
    def _transport_default(self) -> str:
        # Local sockets in the user's private runtime folder, not TCP ports on 127.0.0.1: no port any
        # local user can reach, and no "Kernel is running over TCP without encryption" warning.
        return "ipc"

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            self._kernel_spec = kernel_spec()
        return self._kernel_spec

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.log_file is not None:
            kw.setdefault("stderr", self.log_file)
        return await super()._async_launch_kernel(kernel_cmd, **kw)


class OwnEngine(NBClientEngine):
    """papermill's nbclient engine, with :class:`OwnKernelManager` for the kernel named ``pyhotline``."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        if kernel_name != KERNEL_NAME:
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
        with tempfile.TemporaryFile() as log:
            manager = type("RunKernelManager", (OwnKernelManager,), {"log_file": log})
            kwargs.setdefault("kernel_manager_class", manager)
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except Exception:
                _show_log(log)
                raise


def _show_log(log) -> None:
    log.seek(0)
    lines = [line for line in log.read().decode("utf-8", "replace").splitlines()
             if line.strip() and not any(q in line for q in _QUIET)]
    if lines:
        print("笔记本内核的输出：\n" + "\n".join(lines[-20:]), file=sys.stderr)


class ReadableTranslator(PythonTranslator):
    """Strings as JSON literals without ASCII escaping (valid Python): Chinese stays readable, quotes,
    backslashes and control characters stay escaped; ``repr`` for what UTF-8 cannot hold (lone surrogates)."""

    @classmethod
    def translate_str(cls, val):
        return cls.translate_escaped_str(val)

    @classmethod
    def translate_escaped_str(cls, str_val):
        if not isinstance(str_val, str):
            return super().translate_escaped_str(str_val)
        text = json.dumps(str_val, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return repr(str_val)
        return text


def install() -> str:
    """Make papermill start :data:`KERNEL_NAME` from memory (in this process); returns the name."""
    papermill_engines.register(None, OwnEngine)
    papermill_engines.register("nbclient", OwnEngine)
    papermill_engines.register(KERNEL_NAME, OwnEngine)
    papermill_translators.register(KERNEL_NAME, ReadableTranslator)
    return KERNEL_NAME
