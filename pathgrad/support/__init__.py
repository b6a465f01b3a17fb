"""What every layer of pathgrad stands on, and nothing about paths or networks.

:mod:`.errors` (``PathgradError`` and the classes derived from it), :mod:`.arguments` (checks of
the numbers and names users pass in), :mod:`.limits` (refusing work past a size the user can
raise), :mod:`.writing` (writing files without following planted links), :mod:`.tables` (text
and HTML tables), :mod:`.timing` (the median clock), :mod:`.collector` (pausing Python's cycle
collector while acyclic graphs are built) and :mod:`.answers` (the notebooks' exercise checker).
"""
