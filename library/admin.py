"""The admin's index links to the import page (the library app has no models of its own)."""
from django.contrib import admin

admin.site.site_header = "Duizhao 对照 administration"
admin.site.site_title = "Duizhao 对照"
admin.site.index_template = "library/admin_index.html"
