"""Programs: their create/read/update, their OB 3.0 Achievement, employer endorsements."""
