"""Sphinx configuration of the skvae documentation (``make docs``)."""

import os
import sys

# The docs build imports skvae from this checkout.
sys.path.insert(0, os.path.abspath(".."))

from skvae import __version__  # noqa: E402

project = "skvae"
author = "the skvae developers"
copyright = "2026, the skvae developers"
release = version = __version__

extensions = [
    "sphinx.ext.autodoc",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
myst_heading_anchors = 3

# Methods are documented on the class page (autodoc's :members:), so numpydoc
# must not add a second, dangling table of them.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
autodoc_default_options = {"member-order": "bysource"}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    # Fitting is random only through each example's own random_state.
    "reset_modules": ("matplotlib",),
}

html_theme = "pydata_sphinx_theme"
html_title = f"skvae {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
# The site is a handful of top-level pages, all in the header: no left sidebar,
# which leaves the width to the benchmark tables.
html_sidebars = {"**": []}
html_static_path = []
html_show_sourcelink = False
