"""The package version, in one place."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("langchain-okta")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
