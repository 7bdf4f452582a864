# escape=`
FROM mcr.microsoft.com/windows:ltsc2022
RUN dir `
  c:\
