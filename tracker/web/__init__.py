"""The web layer every feature uses: security, logins, request arguments, navigation, template
helpers, pagination, the one edit and save path, archiving routes and shared form fields."""
