"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at /open311/v2/: the open
interchange standard for civic issue reports, so that existing clients, apps and the city's
systems can list the services (the matters of the list in force), submit demands and follow them.
JSON and XML, errors as the specification's error list, personal data never in an answer."""
