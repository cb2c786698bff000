"""Which packages the wheel holds; everything else is in pyproject.toml.

The top-level ``resources/`` folder (translations, font) is installed as the package
``gradlab_resources``: a plain ``packages.find`` in pyproject.toml cannot rename a folder, and a
top-level package called ``resources`` would clash with other projects in site-packages.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["app", "app.*", "engine", "engine.*"]) + ["gradlab_resources"],
    package_dir={"gradlab_resources": "resources"},
)
