from barcamp_search.cli import main

main()
