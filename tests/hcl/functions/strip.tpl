%{ if true ~}

  x
%{ endif ~}


y ${"a" ~}

  z
