# placeholder: rules for litreview land here
