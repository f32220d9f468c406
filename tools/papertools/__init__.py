"""Literature and rendering tools for the Maaza paper: curated BibTeX, citation checks,
and the templates that turn metrics JSON into LaTeX tables, macros and figures."""
