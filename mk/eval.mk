# placeholder: rules for eval land here
