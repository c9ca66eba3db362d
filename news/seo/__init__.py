"""What machines read of the site: feeds, sitemaps, robots.txt, structured data, sharing
metadata and oEmbed. Everything here shows live, public pages only; commenters' email
addresses are never read."""
