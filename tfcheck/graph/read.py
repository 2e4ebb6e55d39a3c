"""An input PATH → its Graph: the load stage, then the graph stage, once per input."""

from __future__ import annotations

from tfcheck.errors import InputError
from tfcheck.graph.build import build_graph
from tfcheck.graph.model import Graph, GraphOptions
from tfcheck.load.inputs import Loaded, SourceOptions, display_path, input_label, load_inventory


def read_graph(
    path: str | None, options: GraphOptions | None = None, source: SourceOptions = SourceOptions()
) -> tuple[Graph, Loaded]:
    """PATH → the graph the policies query, and how it was loaded."""
    try:
        loaded = load_inventory(path, source)
        graph = build_graph(
            loaded.inventory,
            options,
            loaded.mode,
            display_path(loaded.source_dir, ".") if loaded.source_dir else None,
        )
    except RecursionError:
        # Real plans nest a few dozen levels; walking the document beforehand to refuse
        # deeper ones cost 18% of json.loads on every run, so the stages catch it instead.
        raise InputError(
            input_label(path), "is nested too deeply to be a Terraform plan or configuration"
        ) from None
    return graph, loaded


def before_graph(loaded: Loaded, options: GraphOptions | None = None) -> Graph | None:
    """The graph of what stands before the change, for an update plan; else None."""
    before = loaded.before()
    return build_graph(before, options) if before is not None else None
