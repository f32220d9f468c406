# placeholder: rules for bib land here
