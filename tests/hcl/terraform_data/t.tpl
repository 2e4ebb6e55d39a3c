%{ for n in names ~}
name=${n} x=${x}
%{ endfor ~}
