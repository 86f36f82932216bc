"""Labs: each exercise of the chapter as a module that trains, draws, measures and writes a report."""
