"""The package's version, in a module of its own: modules that print or record it need not import the
package's public API (``pipeline/__init__.py``), which imports the runner."""

__version__ = "0.1.0"
