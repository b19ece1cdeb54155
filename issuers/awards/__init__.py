"""Awards: the one signing path, status lists, OpenID4VCI delivery, the award API."""
